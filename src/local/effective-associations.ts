/**
 * DescribeEffectiveInstanceAssociations: the associations that apply to one instance now (its
 * targets match), each with the content of the document version it runs — what the agent on
 * that instance would fetch. Paged five at a time at most, as the API's MaxResults allows.
 */
import type { Area } from "./core.js";
import { findDocument, resolveDocumentVersion } from "./documents.js";
import { SsmError } from "./errors.js";
import { checkPaging, paginate } from "./paging.js";
import { check } from "./validate.js";
import { simulationState } from "./associations.js";
import { currentTargets } from "./simulator.js";

export const effectiveAssociationsArea: Area = {
  name: "effective-associations",

  operations: {
    DescribeEffectiveInstanceAssociations(input, ctx) {
      const req = check(input, (c) => ({
        instanceId: c.requiredString("InstanceId", { pattern: "(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)" }),
        ...checkPaging(c, { defaultMax: 5, min: 1, max: 5 }),
      }));
      const state = simulationState(ctx);
      if (!state.fleet.some((i) => i.instanceId === req.instanceId))
        throw new SsmError("InvalidInstanceId", `Instance ${req.instanceId} is not a managed node.`);
      const effective = Object.values(state.associations).flatMap((record) => {
        if (!currentTargets(state, record).some((i) => i.instanceId === req.instanceId)) return [];
        const doc = findDocument(ctx, record.config.Name);
        if (!doc) return [];
        try {
          return [{ record, content: resolveDocumentVersion(doc, record.config.DocumentVersion).content }];
        } catch {
          return [];
        }
      });
      const page = paginate(
        `DescribeEffectiveInstanceAssociations:${req.instanceId}`,
        effective,
        (e) => e.record.associationId,
        req.maxResults,
        req.nextToken,
      );
      return {
        Associations: page.items.map((e) => ({
          AssociationId: e.record.associationId,
          InstanceId: req.instanceId,
          Content: e.content,
          AssociationVersion: String(e.record.version),
        })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },
  },
};
