// The benchmark's data: seeding users and rooms through the platform's services, filling
// a room through the send path, and checking the shards afterwards.
import type { RowDataPacket } from "mysql2/promise";
import type { ChatApp } from "../../services/src/app.js";
import { ROOM_TABLE, ROOM_TABLES } from "../../services/src/moves/tables.js";
import type { LoadResult } from "./move-load.js";
import { mapLimit, sleep } from "./stats.js";

export interface Seeded {
  users: { id: number; token: string }[];
  bigRoom: number;
  movingRoom: number;
  otherRooms: number[];
}

export async function seed(
  app: ChatApp,
  tag: string,
  n: { senders: number; otherRooms: number },
): Promise<Seeded> {
  const sessions = await mapLimit(
    Array.from({ length: n.senders }, (_, i) => i),
    8,
    (i) => app.accounts.register({ username: `m${tag}u${i}`, password: "correct horse battery staple" }),
  );
  const users = sessions.map((s) => ({ id: s.user.id, token: s.accessToken }));
  const owner = users[0] as { id: number };
  const bigRoom = (await app.rooms.create(owner.id, { kind: "public", name: "big room" })).id;
  const movingRoom = (await app.rooms.create(owner.id, { kind: "public", name: "moving room" })).id;
  const otherRooms: number[] = [];
  for (let r = 0; r < n.otherRooms; r++) {
    const u = users[r % users.length] as { id: number };
    otherRooms.push((await app.rooms.create(u.id, { kind: "public", name: `other ${r}` })).id);
  }
  await mapLimit(users, 8, async (u, i) => {
    if (i > 0) {
      await app.rooms.join(u.id, bigRoom);
      await app.rooms.join(u.id, movingRoom);
    }
    const other = otherRooms[i % otherRooms.length] as number;
    if (i >= otherRooms.length) await app.rooms.join(u.id, other);
  });
  return { users, bigRoom, movingRoom, otherRooms };
}

/**
 * Fills a room through MessageService.send (the platform's send path) with clientMsgIds
 * f0..f(n−1); returns how many were acknowledged.
 */
export async function fill(
  app: ChatApp,
  users: Seeded["users"],
  roomId: number,
  n: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  let acked = 0;
  const lanes = Array.from({ length: concurrency }, async (_, lane) => {
    for (;;) {
      const k = next++;
      if (k >= n) return;
      const u = users[lane % users.length] as { id: number };
      await app.messages.send(
        u.id,
        {
          roomId,
          body: `fill message ${k}: the quick brown fox jumps over the lazy dog`,
          clientMsgId: `f${k}`,
        },
        "socket",
      );
      acked++;
    }
  });
  await Promise.all(lanes);
  return acked;
}

const count = async (app: ChatApp, shardId: number, sql: string, args: unknown[] = []): Promise<number> => {
  const [[r]] = await app.shards.pool(shardId).query<RowDataPacket[]>(sql, args);
  return Number(r?.n);
};

/** Waits (bounded) until the worker published every outbox row and indexed the room. */
export async function waitPipeline(
  app: ChatApp,
  roomId: number,
  messages: number,
  maxMs: number,
): Promise<number | null> {
  const t0 = performance.now();
  while (performance.now() - t0 < maxMs) {
    let pending = 0;
    let indexed = 0;
    for (const s of app.shards.all()) {
      pending += await count(app, s.id, "SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL");
      indexed += await count(app, s.id, "SELECT COUNT(*) AS n FROM search_docs WHERE room_id = ?", [roomId]);
    }
    if (pending === 0 && indexed >= messages) return (performance.now() - t0) / 1000;
    await sleep(500);
  }
  return null;
}

/** The room's rows per table on one shard. */
export async function roomRows(
  app: ChatApp,
  shardId: number,
  roomId: number,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [ROOM_TABLE, ...ROOM_TABLES, { name: "outbox", roomCol: "room_id" }]) {
    out[t.name] = await count(app, shardId, `SELECT COUNT(*) AS n FROM ${t.name} WHERE ${t.roomCol} = ?`, [
      roomId,
    ]);
  }
  return out;
}

export interface Integrity {
  rooms: number;
  acked: number;
  ackedMissing: number;
  stored: number;
  roomsWithGaps: number;
  duplicateClientIds: number;
  /** Rows of a room on a shard its directory entry does not point at (a move left them). */
  strayRows: number;
  ok: boolean;
}

/** Every acknowledged send stored exactly once, on the room's shard only, seqs 1..N. */
export async function checkIntegrity(
  app: ChatApp,
  rooms: number[],
  acked: Map<number, Set<string>>,
): Promise<Integrity> {
  const r: Integrity = {
    rooms: rooms.length,
    acked: 0,
    ackedMissing: 0,
    stored: 0,
    roomsWithGaps: 0,
    duplicateClientIds: 0,
    strayRows: 0,
    ok: false,
  };
  for (const roomId of rooms) {
    const route = await app.directory.lookup(roomId, { fresh: true });
    if (!route) throw new Error(`room ${roomId} has no directory entry`);
    for (const s of app.shards.all()) {
      if (s.id === route.shardId) continue;
      r.strayRows += await count(app, s.id, "SELECT COUNT(*) AS n FROM messages WHERE room_id = ?", [roomId]);
    }
    const pool = app.shards.pool(route.shardId);
    const [[g]] = await pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n, COALESCE(MIN(seq), 1) AS lo, COALESCE(MAX(seq), 0) AS hi FROM messages WHERE room_id = ?",
      [roomId],
    );
    const n = Number(g?.n);
    r.stored += n;
    if (n !== Number(g?.hi) || Number(g?.lo) !== 1) r.roomsWithGaps++;
    const [ids] = await pool.query<RowDataPacket[]>(
      "SELECT client_msg_id AS c, COUNT(*) AS n FROM messages WHERE room_id = ? AND client_msg_id IS NOT NULL GROUP BY sender_id, client_msg_id",
      [roomId],
    );
    const have = new Set<string>();
    for (const row of ids) {
      have.add(String(row.c));
      if (Number(row.n) > 1) r.duplicateClientIds++;
    }
    for (const cid of acked.get(roomId) ?? []) {
      r.acked++;
      if (!have.has(cid)) r.ackedMissing++;
    }
  }
  r.ok = r.ackedMissing === 0 && r.roomsWithGaps === 0 && r.duplicateClientIds === 0 && r.strayRows === 0;
  return r;
}

/** Adds a load phase's acknowledged clientMsgIds to `acked` (room → ids). */
export function collectAcked(res: LoadResult, acked: Map<number, Set<string>>): void {
  const s = res.samples;
  for (let i = 0; i < s.room.length; i++) {
    if ((s.ack[i] as number) < 0) continue;
    const room = s.room[i] as number;
    let set = acked.get(room);
    if (!set) {
      set = new Set();
      acked.set(room, set);
    }
    set.add(`${res.prefix}${s.sender[i]}-${s.k[i]}`);
  }
}
