// The search consumer: message created/edited → (re)index, deleted → remove, room
// deleted → drop the room's index. Writes go to the room's current shard, in one
// transaction with the processed_events row, so a replayed event has no effect.
import type { Pool, PoolConnection } from "../db/pool.js";
import { type EventConsumer, type Outcome, once } from "../pipeline/consumer.js";
import { asChatEvent, type ChatEvent, type Envelope } from "../pipeline/events.js";
import type { RoomRouter } from "../sharding/router.js";
import { indexTerms } from "./ngram.js";

const INSERT_CHUNK = 1000;

type MessageEvent = Extract<ChatEvent, { type: "message.created" | "message.edited" }>;

export async function removeDoc(conn: PoolConnection, roomId: number, seq: number): Promise<void> {
  await conn.query("DELETE FROM search_postings WHERE room_id = ? AND seq = ?", [roomId, seq]);
  await conn.query("DELETE FROM search_docs WHERE room_id = ? AND seq = ?", [roomId, seq]);
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
    if (!ev) return "ignored";
    switch (ev.type) {
      case "message.created":
      case "message.edited":
        return this.#index(ev);
      case "message.deleted": {
        const pool = await this.#pool(ev.roomId);
        if (!pool) return "ignored";
        const done = await once(pool, this.name, ev.id, (conn) => removeDoc(conn, ev.roomId, ev.data.seq));
        return done ? "processed" : "duplicate";
      }
      case "room.deleted": {
        const pool = await this.#pool(ev.roomId);
        if (!pool) return "ignored";
        const done = await once(pool, this.name, ev.id, async (conn) => {
          await conn.query("DELETE FROM search_postings WHERE room_id = ?", [ev.roomId]);
          await conn.query("DELETE FROM search_docs WHERE room_id = ?", [ev.roomId]);
        });
        return done ? "processed" : "duplicate";
      }
      default:
        return "ignored";
    }
  }

  async #index(ev: MessageEvent): Promise<Outcome> {
    const m = ev.data;
    const pool = await this.#pool(m.roomId);
    if (!pool) return "ignored";
    const done = await once(pool, this.name, ev.id, async (conn) => {
      await removeDoc(conn, m.roomId, m.seq);
      if (m.deletedAt) return;
      await conn.query(
        "INSERT INTO search_docs (room_id, seq, sender_id, body, created_at, edited_at) VALUES (?, ?, ?, ?, ?, ?)",
        [
          m.roomId,
          m.seq,
          m.senderId,
          m.body,
          new Date(m.createdAt),
          m.editedAt ? new Date(m.editedAt) : null,
        ],
      );
      const terms = indexTerms(m.body);
      for (let i = 0; i < terms.length; i += INSERT_CHUNK) {
        await conn.query("INSERT IGNORE INTO search_postings (term, room_id, seq) VALUES ?", [
          terms.slice(i, i + INSERT_CHUNK).map((t) => [t, m.roomId, m.seq]),
        ]);
      }
    });
    return done ? "processed" : "duplicate";
  }
}
