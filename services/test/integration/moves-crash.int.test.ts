// A mover killed with SIGKILL mid-copy and mid-catch-up (a child process running the
// real entry point with a copy throttle): another instance's supervisor takes the
// move over after its lease expires, and the room ends up whole and writable.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import { createChatApp } from "../../src/app.js";
import type { RowDataPacket } from "../../src/db/pool.js";
import { HttpClient, registerUser, sleep, type TestUser } from "../helpers/client.js";
import { createTestDatabases, type TestDatabases, testConfig, testEnv } from "../helpers/infra.js";
import { adminClient, messagesOn, roomRowCounts, waitMove } from "../helpers/moves.js";
import { freePort, spawnEntryPoint } from "../helpers/process.js";

// A generous pause bound: these tests are about take-overs, not pause times (a loaded
// machine can make fences miss the 2 s default often enough for the move to fail).
const LEASE = {
  CHAT_MOVE_LEASE_MS: "1500",
  CHAT_MOVE_SUPERVISOR_INTERVAL_MS: "200",
  CHAT_MOVE_MAX_WRITE_PAUSE_MS: "5000",
};
let dbs: TestDatabases;
let a: ChatApp;
let owner: TestUser;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dbs = await createTestDatabases();
  a = await createChatApp(testConfig(dbs, LEASE));
  await a.listen();
  owner = await registerUser(a.url(), "crash");
}, 60_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await a?.stop();
  await dbs?.drop();
});

/** The entry point as a separate process, throttled so a move is slow enough to kill. */
async function startMover(
  rowsPerSecond: number,
): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const port = await freePort();
  const { child, output } = spawnEntryPoint(
    testEnv(dbs, {
      ...LEASE,
      CHAT_PORT: String(port),
      CHAT_LOG_LEVEL: "info",
      CHAT_MOVE_ROWS_PER_SECOND: String(rowsPerSecond),
      CHAT_MOVE_BATCH_ROWS: "50",
      CHAT_MOVE_SUPERVISOR: "false",
    }),
  );
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (
      await fetch(`${base}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      )
    )
      break;
    await sleep(200);
  }
  return { child, base, output };
}

async function seededRoom(name: string, messages: number): Promise<{ roomId: number; shardId: number }> {
  const roomId = (await owner.http.post("/v1/rooms", { kind: "public", name })).body.id as number;
  for (let i = 0; i < messages; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        owner.http.post(`/v1/rooms/${roomId}/messages`, {
          body: `seed ${i + j}`,
          clientMsgId: `seed-${i + j}`,
        }),
      ),
    );
  }
  expect((await owner.http.put(`/v1/rooms/${roomId}/messages/1/reactions/%F0%9F%91%8D`)).status).toBe(200);
  await owner.http.put(`/v1/rooms/${roomId}/read`, { seq: 10 });
  return { roomId, shardId: (await a.directory.lookup(roomId, { fresh: true }))?.shardId as number };
}

const moveRow = async (id: string) => {
  const [rows] = await a.catalog.query<RowDataPacket[]>(
    "SELECT state, rows_copied FROM room_moves WHERE id = ?",
    [id],
  );
  return { state: String(rows[0]?.state), rowsCopied: Number(rows[0]?.rows_copied) };
};

async function killDuring(state: string, minRows: number, roomId: number, toShard: number, rate = 1000) {
  const mover = await startMover(rate);
  const admin = new HttpClient(mover.base, a.config.auth.adminToken);
  const res = await admin.post("/admin/moves", { roomId, toShard });
  expect(res.status, mover.output()).toBe(202);
  const id = res.body.move.id as string;
  for (let i = 0; i < 3000; i++) {
    const r = await moveRow(id);
    if (r.state === state && r.rowsCopied >= minRows) break;
    await sleep(20);
  }
  const before = await moveRow(id);
  mover.child.kill("SIGKILL");
  await new Promise((r) => mover.child.once("exit", r));
  expect(before.state, mover.output()).toBe(state);
  return { id, before };
}

async function expectWhole(roomId: number, fromShard: number, toShard: number, sent: Map<string, number>) {
  const onTarget = await messagesOn(a.shards.pool(toShard), roomId);
  expect(onTarget.map((m) => m.seq)).toEqual(onTarget.map((_, i) => i + 1));
  const byCid = new Map(onTarget.map((m) => [m.cid, m.seq]));
  expect(byCid.size).toBe(onTarget.length);
  for (const [cid, seq] of sent) expect(byCid.get(cid), cid).toBe(seq);
  expect(Object.values(await roomRowCounts(a.shards.pool(fromShard), roomId)).every((n) => n === 0)).toBe(
    true,
  );
  const counts = await roomRowCounts(a.shards.pool(toShard), roomId);
  expect(counts).toMatchObject({ rooms: 1, room_members: 1, messages: onTarget.length, read_markers: 1 });
  const next = await owner.http.post(`/v1/rooms/${roomId}/messages`, { body: "after", clientMsgId: "after" });
  expect(next.status).toBe(201);
  expect(next.body.seq).toBe(onTarget.length + 1);
}

describe("mover crashes", () => {
  it("a move killed mid-copy is resumed from its cursors by another instance", async () => {
    const { roomId, shardId } = await seededRoom("crash-copy", 1000);
    const to = shardId === 0 ? 1 : 0;
    const { id, before } = await killDuring("Copying", 200, roomId, to);
    // Writable while orphaned (nothing is fenced during the copy).
    const sent = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const r = await owner.http.post(`/v1/rooms/${roomId}/messages`, {
        body: `x${i}`,
        clientMsgId: `mid-${i}`,
      });
      expect(r.status).toBe(201);
      sent.set(`mid-${i}`, r.body.seq);
    }
    const done = await waitMove(adminClient(a), id);
    expect(done.state, JSON.stringify(done)).toBe("Done");
    await expectWhole(roomId, shardId, to, sent);
    // Resumed from the cursors, not restarted: the rows copied before the kill were not
    // copied again (a restart would count them twice on top of the whole room).
    const counts = await roomRowCounts(a.shards.pool(to), roomId);
    const [search] = await a.shards
      .pool(to)
      .query<RowDataPacket[]>(
        "SELECT (SELECT COUNT(*) FROM search_postings WHERE room_id = ?) + (SELECT COUNT(*) FROM search_docs WHERE room_id = ?) AS n",
        [roomId, roomId],
      );
    const total = Object.values(counts).reduce((x, y) => x + y, 0) + Number(search[0]?.n);
    // At most the chunk in flight at the kill (50 rows per table) is copied twice.
    expect(before.rowsCopied).toBeGreaterThan(200);
    expect(done.rowsCopied).toBeLessThanOrEqual(total + 100);
  }, 120_000);

  it("a move killed mid-catch-up is finished by another instance", async () => {
    const { roomId, shardId } = await seededRoom("crash-catchup", 600);
    const to = shardId === 0 ? 1 : 0;
    // Keep writing so the catch-up always has a tail to compare.
    let stop = false;
    const sent = new Map<string, number>();
    const writer = (async () => {
      for (let n = 0; !stop; n++) {
        const r = await owner.http.post(`/v1/rooms/${roomId}/messages`, {
          body: `w${n}`,
          clientMsgId: `w-${n}`,
        });
        if (r.status === 201 || r.status === 200) sent.set(`w-${n}`, r.body.seq);
        else await sleep(50);
        // A modest rate: the throttled copy must catch up with it.
        await sleep(20);
      }
    })();
    const { id } = await killDuring("CatchingUp", 0, roomId, to);
    const done = await waitMove(adminClient(a), id);
    stop = true;
    await writer;
    expect(done.state, JSON.stringify(done)).toBe("Done");
    await expectWhole(roomId, shardId, to, sent);
  }, 120_000);

  it("an abort of an orphaned move rolls it back on the instance that receives it", async () => {
    const { roomId, shardId } = await seededRoom("crash-abort", 600);
    const to = shardId === 0 ? 1 : 0;
    const { id } = await killDuring("Copying", 100, roomId, to);
    await a.moves.refreshOpenGauges();
    const open = await a.metrics.registry.getSingleMetricAsString("chat_room_moves_open");
    expect(open).toMatch(/^chat_room_moves_open 1$/m);
    const age = await a.metrics.registry.getSingleMetric("chat_room_move_oldest_open_age_seconds")?.get();
    expect(age?.values[0]?.value).toBeGreaterThan(0);
    const r = await adminClient(a).post(`/admin/moves/${id}/abort`);
    expect(r.status).toBe(200);
    const m = await waitMove(adminClient(a), id);
    expect(m.state).toBe("Aborted");
    await a.moves.refreshOpenGauges();
    expect(await a.metrics.registry.getSingleMetricAsString("chat_room_moves_open")).toMatch(
      /^chat_room_moves_open 0$/m,
    );
    expect(Object.values(await roomRowCounts(a.shards.pool(to), roomId)).every((n) => n === 0)).toBe(true);
    expect((await messagesOn(a.shards.pool(shardId), roomId)).length).toBe(600);
    expect((await owner.http.post(`/v1/rooms/${roomId}/messages`, { body: "still here" })).body.seq).toBe(
      601,
    );
  }, 120_000);
});
