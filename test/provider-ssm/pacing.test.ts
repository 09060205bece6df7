// Issue 23: statectl paces each throttled operation to the rate SSM admits. The pace is checked in
// virtual time against a simulated token bucket (what SSM and the local endpoint's throttle knob
// do), so no assertion depends on the machine's speed; client.test.ts covers the real client.
import { expect } from "chai";
import { isThrottling, OperationPace, PacedRetryBackoff, Pacer } from "../../src/provider-ssm/pacing.js";

interface Outcome {
  /** Virtual milliseconds until the last call completed. */
  ms: number;
  throttled: number;
  admitted: number;
}

/**
 * `calls` calls by `workers` workers, one after another each, through a pace; the server admits
 * `rate` a second with a bucket of `burst`; each attempt takes `latencyMs`; a throttled attempt is
 * sent again after `backoffMs` (the SDK's retry). Returns when the last call completed.
 */
function simulate(
  calls: number,
  workers: number,
  rate: number,
  burst: number,
  latencyMs: number,
  backoffMs: number,
): Outcome {
  let now = 0;
  const pace = new OperationPace(() => now);
  let tokens = burst;
  let refilledAt = 0;
  const admit = (t: number): boolean => {
    tokens = Math.min(burst, tokens + ((t - refilledAt) * rate) / 1000);
    refilledAt = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  // Events: a worker ready to send (after a wait) or an attempt's answer.
  type Event = { at: number; kind: "send" | "answer"; admitted?: boolean };
  const queue: Event[] = [];
  const push = (e: Event) => {
    let i = queue.length;
    while (i > 0 && queue[i - 1]!.at > e.at) i--;
    queue.splice(i, 0, e);
  };
  let left = calls;
  let throttled = 0;
  let admitted = 0;
  let last = 0;
  for (let w = 0; w < Math.min(workers, calls); w++) push({ at: 0, kind: "send" });
  left -= Math.min(workers, calls);
  while (queue.length > 0) {
    const e = queue.shift()!;
    now = e.at;
    if (e.kind === "send") {
      const start = now + pace.reserve();
      push({ at: start + latencyMs, kind: "answer", admitted: admit(start + latencyMs / 2) });
    } else if (e.admitted) {
      pace.admittedOne();
      admitted++;
      last = now;
      if (left > 0) {
        left--;
        push({ at: now, kind: "send" });
      }
    } else {
      pace.throttled();
      throttled++;
      push({ at: now + backoffMs, kind: "send" });
    }
  }
  return { ms: last, throttled, admitted };
}

describe("provider-ssm pacing (issue 23)", () => {
  it("does not pace an operation SSM has not throttled", () => {
    const pacer = new Pacer(() => 0);
    expect(pacer.rateOf("CreateAssociationBatch")).to.equal(undefined);
    const pace = new OperationPace(() => 0);
    for (let i = 0; i < 100; i++) expect(pace.reserve()).to.equal(0);
  });

  it("keeps a throttled operation within 10% of the throttle's bound, with few attempts throttled", () => {
    // The throttled apply of the bench: 200 batch calls, 4 in flight, 20 a second with a bucket of 20, 20 ms each.
    const bound = ((200 - 20) / 20) * 1000;
    const paced = simulate(200, 4, 20, 20, 20, 100);
    expect(paced.admitted).to.equal(200);
    expect(paced.ms).to.be.at.most(1.1 * bound);
    // About one attempt in ten is throttled: the pace runs 10% above the measured rate, so SSM's bucket never fills.
    expect(paced.throttled).to.be.at.most(35);
  });

  it("settles at the admitted rate from a burst of 50 calls in flight", () => {
    const bound = ((200 - 20) / 20) * 1000;
    const paced = simulate(200, 50, 20, 20, 5, 100);
    expect(paced.admitted).to.equal(200);
    expect(paced.ms).to.be.at.most(1.1 * bound);
    // The first 50 go before anything is known, and their retries at the first (burst-inflated) estimate.
    expect(paced.throttled).to.be.at.most(100);
  });

  it("follows a rate SSM lowers and raises", () => {
    const slow = simulate(100, 4, 5, 5, 20, 100);
    expect(slow.ms).to.be.at.most(1.1 * ((100 - 5) / 5) * 1000);
    const fast = simulate(1000, 8, 100, 100, 20, 100);
    expect(fast.ms).to.be.at.most(1.1 * ((1000 - 100) / 100) * 1000);
  });

  it("backs a throttled retry off as briefly as any other retry (its pace spaces it), with full jitter and the SDK's cap", () => {
    const longest = new PacedRetryBackoff(() => 0.999999);
    // The SDK sets its throttling base (1 s) before a throttled retry and its base (50 ms) before others.
    longest.setDelayBase(1000);
    expect([0, 1, 2, 3].map((n) => longest.computeNextBackoffDelay(n))).to.deep.equal([49, 99, 199, 399]);
    longest.setDelayBase(50);
    expect(longest.computeNextBackoffDelay(0)).to.equal(49);
    longest.setDelayBase(20);
    expect(longest.computeNextBackoffDelay(1)).to.equal(39);
    expect(longest.computeNextBackoffDelay(30)).to.equal(19_999);
    const shortest = new PacedRetryBackoff(() => 0);
    shortest.setDelayBase(1000);
    expect(shortest.computeNextBackoffDelay(5)).to.equal(0);
  });

  it("knows a throttling error when it sees one", () => {
    expect(isThrottling({ name: "ThrottlingException", $metadata: { httpStatusCode: 400 } })).to.equal(true);
    expect(isThrottling({ name: "Whatever", $metadata: { httpStatusCode: 429 } })).to.equal(true);
    expect(isThrottling({ name: "InvalidDocument", $metadata: { httpStatusCode: 400 } })).to.equal(false);
    expect(isThrottling(new Error("boom"))).to.equal(false);
  });
});
