// Helpers for room move tests: the admin client, polling a move, watching its fence, and
// checks of a room's rows on a shard.
import type { ChatApp } from "../../src/app.js";
import type { Pool, RowDataPacket } from "../../src/db/pool.js";
import { HttpClient, type Json, sleep } from "./client.js";

export const adminClient = (app: ChatApp): HttpClient =>
  new HttpClient(app.url(), app.config.auth.adminToken);

/** Polls GET /admin/moves/:id until `done(move)` or the timeout. */
export async function waitMove(
  admin: HttpClient,
  id: string,
  done: (m: Json) => boolean = (m) => ["Done", "Failed", "Aborted"].includes(m.state),
  timeoutMs = 60_000,
): Promise<Json> {
  const until = Date.now() + timeoutMs;
  let last: Json;
  while (Date.now() < until) {
    const r = await admin.get(`/admin/moves/${id}`);
    last = r.body.move;
    if (r.status === 200 && done(last)) return last;
    await sleep(25);
  }
  throw new Error(`move ${id} did not settle: ${JSON.stringify(last)}`);
}

/**
 * Watches the room's directory row every 2 ms and records (performance.now()) when it
 * first said `moving` and when it stopped: the fence as the clients' side sees it.
 * `stop()` ends the watch; read `fence` after it.
 */
export function watchFence(
  catalog: Pool,
  roomId: number,
): { fence: { from: number; to: number }; stop: () => Promise<void> } {
  const fence = { from: 0, to: 0 };
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const [rows] = await catalog.query<RowDataPacket[]>(
        "SELECT state FROM room_directory WHERE room_id = ?",
        [roomId],
      );
      const moving = rows[0]?.state === "moving";
      if (moving && !fence.from) fence.from = performance.now();
      if (!moving && fence.from && !fence.to) fence.to = performance.now();
      await sleep(2);
    }
  })();
  return {
    fence,
    stop: async () => {
      watching = false;
      await watcher;
    },
  };
}

/** Rows of the room per room-scoped table on one shard. */
export async function roomRowCounts(pool: Pool, roomId: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [
    "rooms",
    "room_members",
    "messages",
    "message_dedup",
    "reactions",
    "read_markers",
    "outbox",
  ]) {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${t} WHERE ${t === "rooms" ? "id" : "room_id"} = ?`,
      [roomId],
    );
    out[t] = Number(rows[0]?.n);
  }
  return out;
}

/** The room's messages on a shard as [seq, clientMsgId, body], in seq order. */
export async function messagesOn(
  pool: Pool,
  roomId: number,
): Promise<{ seq: number; cid: string | null; body: string }[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT seq, client_msg_id, body FROM messages WHERE room_id = ? ORDER BY seq",
    [roomId],
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    cid: r.client_msg_id as string | null,
    body: String(r.body),
  }));
}

export const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};
