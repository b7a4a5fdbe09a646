// The send path of one shard, behind one module so a later change can group
// concurrent sends into one transaction (group commit) without touching callers.
//
// One send = one shard transaction:
//   1. answer from message_dedup if this clientMsgId was already stored (retry);
//   2. UPDATE rooms SET seq = LAST_INSERT_ID(seq + 1) WHERE id = ? AND epoch = ?
//      — takes the room row lock (sends to one room serialize, seqs have no gaps)
//      and is the epoch fence: 0 rows means the room moved → StaleRouteError;
//   3. re-check membership under that lock (kicks take the same lock);
//   4. insert the message, the dedup record and the outbox row; commit.

import {
  isDuplicateKey,
  type Pool,
  type PoolConnection,
  type ResultSetHeader,
  type RowDataPacket,
} from "../db/pool.js";
import { AppError } from "../errors.js";
import type { Mention, MessageDto } from "../realtime/protocol.js";
import type { RoomRoute } from "../sharding/directory.js";
import { StaleRouteError } from "../sharding/router.js";
import { loadMessage, messageId } from "./dto.js";

export interface SendInput {
  senderId: number;
  body: string;
  parentSeq: number | null;
  mentions: Mention[];
  clientMsgId: string | null;
}

export interface SendResult {
  message: MessageDto;
  duplicate: boolean;
}

export class ShardWriter {
  constructor(
    readonly shardId: number,
    private readonly pool: Pool,
  ) {}

  async send(route: RoomRoute, input: SendInput): Promise<SendResult> {
    const roomId = route.roomId;
    if (input.clientMsgId) {
      const prior = await this.#findDuplicate(this.pool, roomId, input);
      if (prior) return { message: prior, duplicate: true };
    }
    const conn = await this.pool.getConnection();
    let committed = false;
    try {
      await conn.beginTransaction();
      const [bump] = await conn.query<ResultSetHeader>(
        "UPDATE rooms SET seq = LAST_INSERT_ID(seq + 1) WHERE id = ? AND epoch = ? AND deleted_at IS NULL",
        [roomId, route.epoch],
      );
      if (bump.affectedRows !== 1) await this.#explainNoRoom(conn, route);
      const seq = await this.#assignedSeq(conn, bump);

      const [member] = await conn.query<RowDataPacket[]>(
        "SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?",
        [roomId, input.senderId],
      );
      if (member.length === 0) throw new AppError("CHAT_NOT_A_MEMBER");

      const createdAt = new Date();
      const mentions = JSON.stringify(input.mentions);
      await conn.query(
        `INSERT INTO messages (room_id, seq, sender_id, body, parent_seq, mentions, client_msg_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [roomId, seq, input.senderId, input.body, input.parentSeq, mentions, input.clientMsgId, createdAt],
      );
      if (input.clientMsgId) {
        try {
          await conn.query(
            "INSERT INTO message_dedup (room_id, sender_id, client_msg_id, seq, created_at) VALUES (?, ?, ?, ?, ?)",
            [roomId, input.senderId, input.clientMsgId, seq, createdAt],
          );
        } catch (err) {
          // A concurrent retry committed first: undo our seq bump and answer with theirs.
          if (!isDuplicateKey(err)) throw err;
          await conn.rollback();
          const prior = await this.#findDuplicate(this.pool, roomId, input);
          if (!prior) throw err;
          return { message: prior, duplicate: true };
        }
      }
      const message: MessageDto = {
        id: messageId(roomId, seq),
        roomId,
        seq,
        senderId: input.senderId,
        body: input.body,
        parentSeq: input.parentSeq,
        mentions: input.mentions,
        clientMsgId: input.clientMsgId,
        createdAt: createdAt.toISOString(),
        editedAt: null,
        deletedAt: null,
        reactions: [],
      };
      await conn.query("INSERT INTO outbox (room_id, event_type, payload) VALUES (?, 'message.created', ?)", [
        roomId,
        JSON.stringify(message),
      ]);
      await conn.commit();
      committed = true;
      return { message, duplicate: false };
    } finally {
      if (!committed) await conn.rollback().catch(() => {});
      conn.release();
    }
  }

  async #findDuplicate(q: Pool, roomId: number, input: SendInput): Promise<MessageDto | null> {
    const [rows] = await q.query<RowDataPacket[]>(
      "SELECT seq FROM message_dedup WHERE room_id = ? AND sender_id = ? AND client_msg_id = ?",
      [roomId, input.senderId, input.clientMsgId],
    );
    const seq = rows[0]?.seq;
    if (seq === undefined) return null;
    return loadMessage(q, roomId, Number(seq));
  }

  /** LAST_INSERT_ID(expr) is reported as the statement's insert id on MySQL and MariaDB; fall back to asking. */
  async #assignedSeq(conn: PoolConnection, bump: ResultSetHeader): Promise<number> {
    if (bump.insertId > 0) return Number(bump.insertId);
    const [rows] = await conn.query<RowDataPacket[]>("SELECT LAST_INSERT_ID() AS seq");
    return Number(rows[0]?.seq);
  }

  async #explainNoRoom(conn: PoolConnection, route: RoomRoute): Promise<never> {
    const [rows] = await conn.query<RowDataPacket[]>("SELECT epoch, deleted_at FROM rooms WHERE id = ?", [
      route.roomId,
    ]);
    const r = rows[0];
    if (r?.deleted_at) throw new AppError("CHAT_ROOM_NOT_FOUND");
    throw new StaleRouteError(
      `room ${route.roomId} is not at epoch ${route.epoch} on shard ${route.shardId}`,
    );
  }
}
