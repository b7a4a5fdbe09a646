// Outbox rows are written in the same shard transaction as the change they
// describe; the event pipeline relays them to Kafka keyed by room id.
import type { EventData, EventType } from "../contracts/events.js";
import type { PoolConnection } from "./pool.js";

/**
 * Typed by the event contract (contracts/events.ts): an unknown event type or a payload
 * that does not fit its type's schema does not compile.
 */
/** One outbox row's values (room_id, event_type, payload), for multi-row inserts; typed like writeOutbox. */
export const outboxRow = <T extends EventType>(
  roomId: number,
  type: T,
  payload: EventData<T>,
): [number, T, string] => [roomId, type, JSON.stringify(payload)];

export async function writeOutbox<T extends EventType>(
  conn: PoolConnection,
  roomId: number,
  type: T,
  payload: EventData<T>,
): Promise<void> {
  await conn.query(
    "INSERT INTO outbox (room_id, event_type, payload) VALUES (?, ?, ?)",
    outboxRow(roomId, type, payload),
  );
}
