// A write costs what changed (issue 16): the store serialises only the entries marked changed, and
// a change made without a mark is caught (verifyMarks) rather than silently left off the disk.
// Counts, not times: `lastWrite` says how many entries a write serialised.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DataStore, readDataDir } from "../../src/local/store.js";
import { InvariantError } from "../../src/diag/index.js";

interface Big {
  byId: Record<string, { n: number; history: number[] }>;
}

const ENTRIES = 3000;

function fill(store: DataStore): Big {
  const s = store.section<Big>("big", () => ({ byId: {} }));
  for (let i = 0; i < ENTRIES; i++) s.byId[`id-${i}`] = { n: i, history: [i, i + 1, i + 2] };
  store.markChanged("big");
  return s;
}

describe("local/store: a write serialises what was marked, not the whole data set", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "statectl-store-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("after one change among thousands of entries, writes O(1) entries, and the data reads back whole", async () => {
    const store = await DataStore.open(dir, { verifyMarks: false });
    try {
      const s = fill(store);
      await store.flush();
      expect(store.lastWrite.entries).to.equal(ENTRIES);
      s.byId["id-7"] = { n: -7, history: [] };
      store.markChanged("big", "byId", "id-7");
      s.byId["id-new"] = { n: 1, history: [1] };
      store.markChanged("big", "byId", "id-new");
      delete s.byId["id-9"];
      store.markChanged("big", "byId", "id-9");
      await store.flush();
      // Two entries serialised (id-7, id-new); the deleted one is compared from what was written.
      expect(store.lastWrite.entries).to.equal(2);
      expect(store.lastWrite.bytes).to.be.below(200);
    } finally {
      await store.close();
    }
    const data = (await readDataDir(dir))["big"] as Big;
    expect(Object.keys(data.byId)).to.have.length(ENTRIES);
    expect(data.byId["id-7"]).to.deep.equal({ n: -7, history: [] });
    expect(data.byId["id-new"]).to.deep.equal({ n: 1, history: [1] });
    expect(data.byId).to.not.have.property("id-9");
  });

  it("reads back what journal lines of marked writes hold, before any compaction", async () => {
    const store = await DataStore.open(dir, { verifyMarks: true });
    const s = fill(store);
    await store.flush(); // the first write is a snapshot
    for (let i = 0; i < 5; i++) {
      const entry = s.byId[`id-${i}`];
      if (entry) entry.history.push(100 + i);
      store.markChanged("big", "byId", `id-${i}`);
      await store.flush();
      expect(store.lastWrite.entries).to.equal(1);
    }
    // Read while it is open: the snapshot plus the journal, as a restart after a crash would.
    const data = (await readDataDir(dir))["big"] as Big;
    expect(data.byId["id-4"]?.history).to.deep.equal([4, 5, 6, 104]);
    expect(data.byId["id-5"]?.history).to.deep.equal([5, 6, 7]);
    await store.close();
  });

  it("a mark above an entry covers it; a mark below one widens to it", async () => {
    const store = await DataStore.open(dir, { verifyMarks: true });
    try {
      const s = fill(store);
      await store.flush();
      const entry = s.byId["id-3"];
      if (entry) entry.n = 33;
      // Below the entry (which is written whole): the whole entry is compared.
      store.markChanged("big", "byId", "id-3", "n");
      await store.flush();
      expect(store.lastWrite.entries).to.equal(1);
      const other = s.byId["id-4"];
      if (other) other.n = 44;
      // The whole section: everything is compared (the old cost), nothing is missed.
      store.markChanged("big");
      await store.flush();
      expect(store.lastWrite.entries).to.equal(ENTRIES);
    } finally {
      await store.close();
    }
    const data = (await readDataDir(dir))["big"] as Big;
    expect([data.byId["id-3"]?.n, data.byId["id-4"]?.n]).to.deep.equal([33, 44]);
  });

  it("with verifyMarks, a change made without a mark fails the write, naming the entry", async () => {
    const store = await DataStore.open(dir, { verifyMarks: true });
    try {
      const s = fill(store);
      await store.flush();
      const forgotten = s.byId["id-11"];
      if (forgotten) forgotten.n = -11; // no mark
      const marked = s.byId["id-12"];
      if (marked) marked.n = -12;
      store.markChanged("big", "byId", "id-12");
      let error: unknown;
      await store.flush().catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(InvariantError);
      expect((error as Error).message).to.contain("big.byId.id-11");
      store.markChanged("big", "byId", "id-11");
    } finally {
      await store.close();
    }
  });

  it("without verifyMarks, a change made without a mark still reaches the disk at close", async () => {
    const store = await DataStore.open(dir, { verifyMarks: false });
    const s = fill(store);
    await store.flush();
    const forgotten = s.byId["id-21"];
    if (forgotten) forgotten.n = -21; // no mark, no write
    await store.close();
    const data = (await readDataDir(dir))["big"] as Big;
    expect(data.byId["id-21"]?.n).to.equal(-21);
  });

  it("an in-memory store checks marks too under verifyMarks", async () => {
    const store = await DataStore.open(undefined, { verifyMarks: true });
    const s = fill(store);
    await store.flush();
    const forgotten = s.byId["id-1"];
    if (forgotten) forgotten.n = -1;
    store.markChanged("big", "byId", "id-2");
    let error: unknown;
    await store.flush().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(InvariantError);
  });
});
