// Outbox rows are written in the same shard transaction as the change they
// describe; the event pipeline relays them to Kafka keyed by room id.
import type { PoolConnection } from "./pool.js";

export async function writeOutbox(
  conn: PoolConnection,
  roomId: number,
  type: string,
  payload: unknown,
): Promise<void> {
  await conn.query("INSERT INTO outbox (room_id, event_type, payload) VALUES (?, ?, ?)", [
    roomId,
    type,
    JSON.stringify(payload),
  ]);
}
