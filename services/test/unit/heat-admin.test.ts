// GET /admin/heat: admin-token protected, returns the heat of every live instance summed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterHeat } from "../../src/heat/cluster.js";
import { type InstanceHeat, instanceHeat } from "../../src/heat/merge.js";
import type { HeatStore } from "../../src/heat/store.js";
import { HeatTracker } from "../../src/heat/tracker.js";
import { silentLogger } from "../../src/log.js";
import { listen, stubApp, stubConfig } from "../helpers/stub-http.js";

let t = 0;
const heat = new HeatTracker({ halfLifeMs: 60_000, capacity: 16, now: () => t });
heat.record(2, 11, 30);
heat.record(2, 12, 10);
heat.record(1, 5, 4);
// Another instance's published snapshot (taken at the same moment).
const other = new HeatTracker({ halfLifeMs: 60_000, capacity: 16, now: () => t });
other.record(2, 12, 40);
const published: InstanceHeat[] = [instanceHeat(other, "other", 0)];
let storeDown = false;
const store: HeatStore = {
  publish: async () => {},
  readAll: async () => {
    if (storeDown) throw new Error("Connection is closed.");
    return published;
  },
  remove: async () => {},
};
const cluster = new ClusterHeat({
  tracker: heat,
  store,
  instanceId: "self",
  publishIntervalMs: 1000,
  log: silentLogger(),
  now: () => t,
});

const { app } = stubApp({ heat: cluster });
const bare = stubApp();
let srv: Awaited<ReturnType<typeof listen>>;
let bareSrv: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  srv = await listen(app);
  bareSrv = await listen(bare.app);
});
afterAll(() => {
  srv.server.close();
  bareSrv.server.close();
});

const admin = { authorization: `Bearer ${stubConfig.auth.adminToken}` };

interface HeatBody {
  halfLifeSeconds: number;
  instances: number;
  shards: { shardId: number; rate: number; rooms: { roomId: number; rate: number; share: number }[] }[];
}

describe("GET /admin/heat", () => {
  it("needs the admin token", async () => {
    expect((await fetch(`${srv.base}/admin/heat`)).status).toBe(401);
    const wrong = await fetch(`${srv.base}/admin/heat`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
  });

  it("returns each shard's cluster-wide rate and its hottest rooms in msgs/s", async () => {
    t = 60_000; // one half-life later, for the live tracker and the published snapshot alike
    const res = await fetch(`${srv.base}/admin/heat?limit=1`, { headers: admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as HeatBody;
    expect(body.halfLifeSeconds).toBe(60);
    expect(body.instances).toBe(2);
    expect(body.shards.map((s) => s.shardId)).toEqual([1, 2]);
    const s2 = body.shards[1];
    expect(s2?.rate).toBeCloseTo((80 * Math.LN2) / 60 / 2, 9);
    expect(s2?.rooms).toHaveLength(1);
    // 10 here + 40 on the other instance outweigh room 11's 30.
    expect(s2?.rooms[0]?.roomId).toBe(12);
    expect(s2?.rooms[0]?.share).toBeCloseTo(50 / 80, 9);
  });

  it("answers 503 rather than a partial view when the snapshots are unreadable", async () => {
    storeDown = true;
    try {
      const res = await fetch(`${srv.base}/admin/heat`, { headers: admin });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe("CHAT_BACKEND_UNAVAILABLE");
    } finally {
      storeDown = false;
    }
  });

  it("validates the limit and answers an instance without heat with no shards", async () => {
    expect((await fetch(`${srv.base}/admin/heat?limit=0`, { headers: admin })).status).toBe(400);
    const res = await fetch(`${bareSrv.base}/admin/heat`, { headers: admin });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ halfLifeSeconds: 60, instances: 0, shards: [] });
  });
});
