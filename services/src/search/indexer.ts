// The search consumer: message created/edited → (re)index, deleted → remove, room
// deleted → drop the room's index. Writes go to the room's current shard, in one
// transaction with the processed_events row, so a replayed event has no effect.

import { asChatEvent, type ChatEvent, type Envelope } from "../contracts/events.js";
import { type Pool, type PoolConnection, type RowDataPacket, withTransaction } from "../db/pool.js";
import { claim, type EventConsumer, type Outcome, once } from "../pipeline/consumer.js";
import type { RoomRouter } from "../sharding/router.js";
import { indexTerms } from "./ngram.js";

const INSERT_CHUNK = 1000;

// Postings are inserted in term order: two indexers (partitions consumed concurrently, a
// reindex) then take the postings' key locks in one order and do not deadlock each other
// (the search consumer logged InnoDB deadlocks under normal load).
const byTerm = (a: unknown[], b: unknown[]): number => {
  const x = String(a[0]);
  const y = String(b[0]);
  return x < y ? -1 : x > y ? 1 : 0;
};

const HANDLED: ReadonlySet<string> = new Set([
  "message.created",
  "message.edited",
  "message.deleted",
  "room.deleted",
]);

type MessageEvent = Extract<ChatEvent, { type: "message.created" | "message.edited" }>;

export async function removeDoc(conn: PoolConnection, roomId: number, seq: number): Promise<void> {
  await conn.query("DELETE FROM search_postings WHERE room_id = ? AND seq = ?", [roomId, seq]);
  await conn.query("DELETE FROM search_docs WHERE room_id = ? AND seq = ?", [roomId, seq]);
}

/**
 * Rebuilds one room's index from its messages on the given shard. Returns how many
 * messages were indexed.
 */
export async function reindexRoom(pool: Pool, roomId: number, chunk = 500): Promise<number> {
  await withTransaction(pool, async (conn) => {
    await conn.query("DELETE FROM search_postings WHERE room_id = ?", [roomId]);
    await conn.query("DELETE FROM search_docs WHERE room_id = ?", [roomId]);
  });
  return indexMessagesAfter(pool, roomId, 0, chunk);
}

/**
 * Indexes the room's messages newer than the newest search doc on this shard (after a
 * room move: events consumed between the copy and the flip may have been indexed on
 * the source only). Returns how many messages were indexed.
 */
export async function indexNewer(pool: Pool, roomId: number, chunk = 500): Promise<number> {
  const [top] = await pool.query<RowDataPacket[]>(
    "SELECT COALESCE(MAX(seq), 0) AS seq FROM search_docs WHERE room_id = ?",
    [roomId],
  );
  return indexMessagesAfter(pool, roomId, Number(top[0]?.seq ?? 0), chunk);
}

/** Indexes the room's live messages with seq above `after`, `chunk` messages per transaction. */
async function indexMessagesAfter(pool: Pool, roomId: number, after: number, chunk: number): Promise<number> {
  let total = 0;
  for (;;) {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT seq, sender_id, body, created_at, edited_at FROM messages
        WHERE room_id = ? AND seq > ? AND deleted_at IS NULL ORDER BY seq LIMIT ?`,
      [roomId, after, chunk],
    );
    if (rows.length === 0) return total;
    await withTransaction(pool, async (conn) => {
      await conn.query(
        `INSERT INTO search_docs (room_id, seq, sender_id, body, created_at, edited_at) VALUES ?
         ON DUPLICATE KEY UPDATE body = VALUES(body), edited_at = VALUES(edited_at)`,
        [rows.map((r) => [roomId, r.seq, r.sender_id, r.body, r.created_at, r.edited_at])],
      );
      const postings = rows
        .flatMap((r) => indexTerms(String(r.body)).map((t) => [t, roomId, r.seq]))
        .sort(byTerm);
      for (let i = 0; i < postings.length; i += INSERT_CHUNK * 4) {
        await conn.query("INSERT IGNORE INTO search_postings (term, room_id, seq) VALUES ?", [
          postings.slice(i, i + INSERT_CHUNK * 4),
        ]);
      }
    });
    total += rows.length;
    after = Number(rows.at(-1)?.seq);
  }
}

export class SearchIndexer implements EventConsumer {
  readonly name = "search";

  constructor(private readonly router: RoomRouter) {}

  /** The room's shard now; null for a room that never existed. */
  async #pool(roomId: number): Promise<Pool | null> {
    const route = await this.router.directory.lookup(roomId);
    if (!route) return null;
    return this.router.shards.pool(route.shardId);
  }

  async handle(e: Envelope): Promise<Outcome> {
    const ev = asChatEvent(e);
    if (!ev || !HANDLED.has(ev.type)) return "ignored";
    const pool = await this.#pool(ev.roomId);
    if (!pool) return "ignored";
    const done = await once(pool, this.name, ev.id, (conn) => this.#apply(conn, ev));
    return done ? "processed" : "duplicate";
  }

  /** One transaction per shard for the whole batch (in event order within it). */
  async handleBatch(events: Envelope[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = events.map(() => "ignored");
    const byPool = new Map<Pool, { i: number; ev: ChatEvent }[]>();
    for (const [i, e] of events.entries()) {
      const ev = asChatEvent(e);
      if (!ev || !HANDLED.has(ev.type)) continue;
      const pool = await this.#pool(ev.roomId);
      if (!pool) continue;
      byPool.set(pool, [...(byPool.get(pool) ?? []), { i, ev }]);
    }
    for (const [pool, list] of byPool) {
      await withTransaction(pool, async (conn) => {
        // New messages are inserted together at the end (or before any other event of
        // the batch, which may edit or delete one of them): one multi-row insert each.
        const docs: unknown[][] = [];
        const postings: unknown[][] = [];
        const flush = async () => {
          if (docs.length > 0) {
            await conn.query(
              `INSERT INTO search_docs (room_id, seq, sender_id, body, created_at, edited_at) VALUES ?
               ON DUPLICATE KEY UPDATE body = VALUES(body), edited_at = VALUES(edited_at)`,
              [docs.splice(0)],
            );
          }
          postings.sort(byTerm);
          while (postings.length > 0) {
            await conn.query("INSERT IGNORE INTO search_postings (term, room_id, seq) VALUES ?", [
              postings.splice(0, INSERT_CHUNK * 4),
            ]);
          }
        };
        for (const { i, ev } of list) {
          if (!(await claim(conn, this.name, ev.id))) {
            outcomes[i] = "duplicate";
            continue;
          }
          outcomes[i] = "processed";
          if (ev.type === "message.created" && !ev.data.deletedAt) {
            // A created event is the message's first: there is nothing to remove first.
            const m = ev.data;
            docs.push([m.roomId, m.seq, m.senderId, m.body, new Date(m.createdAt), null]);
            for (const t of indexTerms(m.body)) postings.push([t, m.roomId, m.seq]);
            continue;
          }
          await flush();
          await this.#apply(conn, ev);
        }
        await flush();
      });
    }
    return outcomes;
  }

  async #apply(conn: PoolConnection, ev: ChatEvent): Promise<void> {
    switch (ev.type) {
      case "message.created":
      case "message.edited":
        return this.#index(conn, ev);
      case "message.deleted":
        return removeDoc(conn, ev.roomId, ev.data.seq);
      case "room.deleted":
        await conn.query("DELETE FROM search_postings WHERE room_id = ?", [ev.roomId]);
        await conn.query("DELETE FROM search_docs WHERE room_id = ?", [ev.roomId]);
        return;
      default:
        return;
    }
  }

  async #index(conn: PoolConnection, ev: MessageEvent): Promise<void> {
    const m = ev.data;
    await removeDoc(conn, m.roomId, m.seq);
    if (m.deletedAt) return;
    await conn.query(
      "INSERT INTO search_docs (room_id, seq, sender_id, body, created_at, edited_at) VALUES (?, ?, ?, ?, ?, ?)",
      [m.roomId, m.seq, m.senderId, m.body, new Date(m.createdAt), m.editedAt ? new Date(m.editedAt) : null],
    );
    const terms = [...indexTerms(m.body)].sort();
    for (let i = 0; i < terms.length; i += INSERT_CHUNK) {
      await conn.query("INSERT IGNORE INTO search_postings (term, room_id, seq) VALUES ?", [
        terms.slice(i, i + INSERT_CHUNK).map((t) => [t, m.roomId, m.seq]),
      ]);
    }
  }
}
