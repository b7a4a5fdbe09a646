// GET /admin/heat: admin-token protected, returns this instance's per-shard heat.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeatTracker } from "../../src/heat/tracker.js";
import { listen, stubApp, stubConfig } from "../helpers/stub-http.js";

let t = 0;
const heat = new HeatTracker({ halfLifeMs: 60_000, capacity: 16, now: () => t });
heat.record(2, 11, 30);
heat.record(2, 12, 10);
heat.record(1, 5, 4);

const { app } = stubApp({ heat });
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

describe("GET /admin/heat", () => {
  it("needs the admin token", async () => {
    expect((await fetch(`${srv.base}/admin/heat`)).status).toBe(401);
    const wrong = await fetch(`${srv.base}/admin/heat`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
  });

  it("returns each shard's rate and its hottest rooms in msgs/s", async () => {
    t = 60_000; // one half-life later
    const res = await fetch(`${srv.base}/admin/heat?limit=1`, { headers: admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      halfLifeSeconds: number;
      shards: { shardId: number; rate: number; rooms: { roomId: number; rate: number; share: number }[] }[];
    };
    expect(body.halfLifeSeconds).toBe(60);
    expect(body.shards.map((s) => s.shardId)).toEqual([1, 2]);
    const s2 = body.shards[1];
    expect(s2?.rate).toBeCloseTo((40 * Math.LN2) / 60 / 2, 9);
    expect(s2?.rooms).toHaveLength(1);
    expect(s2?.rooms[0]?.roomId).toBe(11);
    expect(s2?.rooms[0]?.share).toBeCloseTo(0.75, 9);
  });

  it("validates the limit and answers an instance without a tracker with no shards", async () => {
    expect((await fetch(`${srv.base}/admin/heat?limit=0`, { headers: admin })).status).toBe(400);
    const res = await fetch(`${bareSrv.base}/admin/heat`, { headers: admin });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ halfLifeSeconds: 60, shards: [] });
  });
});
