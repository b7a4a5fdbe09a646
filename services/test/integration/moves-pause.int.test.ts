// The write pause of a move against the room's size: rooms of MOVE_PAUSE_SIZES messages
// (default 1000; inserted on the shard directly) moved while 10 senders write to them.
// Nothing is lost; prints the mover's pause and the latency of the sends caught by the
// fence (CHAT_TEST_LOG_LEVEL=info also prints the mover's fence/sync/verify breakdown).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { type HttpClient, registerUser, sleep, type TestUser } from "../helpers/client.js";
import { adminClient, messagesOn, percentile, waitMove, watchFence } from "../helpers/moves.js";

let cluster: TestCluster;
let a: ChatApp;
let admin: HttpClient;
let owner: TestUser;
const sizes = (process.env.MOVE_PAUSE_SIZES ?? "1000").split(",").map(Number);

beforeAll(async () => {
  cluster = await createTestCluster();
  a = await cluster.start();
  admin = adminClient(a);
  owner = await registerUser(a.url(), "pauser");
}, 60_000);
afterAll(() => cluster?.close());

describe("write pause by room size", () => {
  for (const size of sizes) {
    it(`room of ${size} messages`, async () => {
      const roomId = (await owner.http.post("/v1/rooms", { kind: "public", name: `p${size}` })).body
        .id as number;
      const shardId = (await a.directory.lookup(roomId, { fresh: true }))?.shardId as number;
      const pool = a.shards.pool(shardId);
      for (let s = 1; s <= size; s += 5000) {
        const rows = [];
        const dedup = [];
        for (let q = s; q < Math.min(s + 5000, size + 1); q++) {
          rows.push([roomId, q, 1, `body ${q} lorem ipsum dolor sit amet`, "[]", `f${q}`, new Date()]);
          dedup.push([roomId, 1, `f${q}`, q, new Date()]);
        }
        await pool.query(
          "INSERT INTO messages (room_id, seq, sender_id, body, mentions, client_msg_id, created_at) VALUES ?",
          [rows],
        );
        await pool.query(
          "INSERT INTO message_dedup (room_id, sender_id, client_msg_id, seq, created_at) VALUES ?",
          [dedup],
        );
      }
      await pool.query("UPDATE rooms SET seq = ? WHERE id = ?", [size, roomId]);
      const users = await Promise.all(
        Array.from({ length: 10 }, (_, i) => registerUser(a.url(), `p${size}u${i}`)),
      );
      for (const u of users) await u.http.post(`/v1/rooms/${roomId}/join`);
      let stop = false;
      const lat: { at: number; end: number }[] = [];
      const sender = async (u: TestUser, i: number) => {
        for (let n = 0; !stop; n++) {
          const t0 = performance.now();
          for (;;) {
            const r = await u.http.post(`/v1/rooms/${roomId}/messages`, {
              body: `x${i}-${n}`,
              clientMsgId: `c${i}-${n}`,
            });
            if (r.status === 201 || r.status === 200) break;
            await sleep(20);
          }
          lat.push({ at: t0, end: performance.now() });
          await sleep(20);
        }
      };
      const loops = users.map(sender);
      await sleep(500);
      const { fence, stop: stopWatching } = watchFence(a.catalog, roomId);
      const res = await admin.post("/admin/moves", { roomId, toShard: shardId === 0 ? 1 : 0 });
      const done = await waitMove(admin, res.body.move.id, undefined, 300_000);
      await stopWatching();
      stop = true;
      await Promise.all(loops);
      expect(done.state).toBe("Done");
      const onTarget = await messagesOn(a.shards.pool(shardId === 0 ? 1 : 0), roomId);
      expect(onTarget.length).toBe(size + lat.length);
      expect(onTarget.every((m, i) => m.seq === i + 1)).toBe(true);
      const felt = lat
        .filter((l) => fence.from && l.at <= (fence.to || Infinity) && l.end >= fence.from)
        .map((l) => l.end - l.at);
      const { loadavg } = await import("node:os");
      console.log(
        `[pause] size=${size} pauseMs=${done.writePauseMillis} fenceSeenMs=${Math.round(fence.to - fence.from)} felt n=${felt.length} p50=${felt.length ? percentile(felt, 50).toFixed(0) : "-"} p99=${felt.length ? percentile(felt, 99).toFixed(0) : "-"} load=${loadavg()[0]?.toFixed(2)}`,
      );
    }, 600_000);
  }
});
