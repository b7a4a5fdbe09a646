// Read state: one last-read marker per user per room. Markers only move forward and
// never past the room's last seq; unread = last seq − marker. The marker lives on the
// room's shard and is written under the room lock (so it moves with the room and
// is fenced like every other room write).
import { writeOutbox } from "../db/outbox.js";
import type { RowDataPacket } from "../db/pool.js";
import type { EventSink } from "../fanout.js";
import type { RoomService } from "../rooms/service.js";
import type { RoomRouter } from "../sharding/router.js";

export class ReadStateService {
  constructor(
    private readonly router: RoomRouter,
    private readonly rooms: RoomService,
    private readonly sink: EventSink,
  ) {}

  async mark(userId: number, roomId: number, seq: number): Promise<{ lastReadSeq: number; unread: number }> {
    await this.rooms.requireMember(roomId, userId);
    const out = await this.router.write(roomId, async (conn, room) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        "SELECT last_read_seq FROM read_markers WHERE room_id = ? AND user_id = ?",
        [roomId, userId],
      );
      const previous = Number(rows[0]?.last_read_seq ?? 0);
      const lastReadSeq = Math.max(previous, Math.min(seq, room.seq));
      const advanced = lastReadSeq > previous;
      if (advanced) {
        await conn.query(
          `INSERT INTO read_markers (room_id, user_id, last_read_seq) VALUES (?, ?, ?)
           ON DUPLICATE KEY UPDATE last_read_seq = ?, updated_at = CURRENT_TIMESTAMP(3)`,
          [roomId, userId, lastReadSeq, lastReadSeq],
        );
        await writeOutbox(conn, roomId, "read.marker", { roomId, userId, lastReadSeq });
      }
      return { lastReadSeq, unread: Math.max(0, room.seq - lastReadSeq), advanced };
    });
    if (out.advanced)
      this.sink.toRoom(roomId, "read:updated", { roomId, userId, lastReadSeq: out.lastReadSeq });
    return { lastReadSeq: out.lastReadSeq, unread: out.unread };
  }
}
