// Messages: send, edit, delete (tombstone), reactions, history and sync.
// Sends go through the shard's ShardWriter; everything else is a fenced room write.
import type { AccountService } from "../accounts/service.js";
import type { HistoryPage, Mention, MessageDto, ReactionCount } from "../contracts/protocol.js";
import { writeOutbox } from "../db/outbox.js";
import type { RowDataPacket } from "../db/pool.js";
import { AppError } from "../errors.js";
import type { EventSink } from "../fanout.js";
import type { HeatTracker } from "../heat/tracker.js";
import type { Metrics } from "../metrics.js";
import { can } from "../rooms/permissions.js";
import type { RoomService } from "../rooms/service.js";
import type { RoomRouter } from "../sharding/router.js";
import { loadMessage, loadMessages, loadReactions, MESSAGE_COLUMNS } from "./dto.js";
import { parseMentions } from "./mentions.js";
import type { SendLimiter } from "./send-limit.js";
import { type SendResult, ShardWriter } from "./writer.js";

export const HISTORY_MAX_LIMIT = 200;

/** Group commit per shard (config CHAT_SEND_MAX_BATCH, CHAT_SEND_MAX_IN_FLIGHT, CHAT_SEND_MAX_QUEUE). */
export interface SendPathOptions {
  maxBatch: number;
  maxInFlight: number;
  maxQueue: number;
}

export const DEFAULT_SEND_PATH: SendPathOptions = { maxBatch: 512, maxInFlight: 4, maxQueue: 5000 };

export class MessageService {
  readonly #writers = new Map<number, ShardWriter>();

  constructor(
    private readonly router: RoomRouter,
    private readonly rooms: RoomService,
    private readonly accounts: AccountService,
    private readonly sink: EventSink,
    private readonly metrics: Metrics,
    private readonly maxLength: number,
    private readonly sendPath: SendPathOptions = DEFAULT_SEND_PATH,
    /** Per-room heat (admin API /admin/heat): every stored message is counted. */
    private readonly heat?: HeatTracker,
    /** Per-user and per-socket send limits; absent = unlimited (benchmarks of the bare send path). */
    private readonly limits?: SendLimiter,
  ) {}

  writer(shardId: number): ShardWriter {
    let w = this.#writers.get(shardId);
    if (!w) {
      const shard = String(shardId);
      w = new ShardWriter(shardId, this.router.shards.writerPool(shardId), {
        maxBatch: this.sendPath.maxBatch,
        maxInFlight: this.sendPath.maxInFlight,
        maxQueue: this.sendPath.maxQueue,
        onBatch: () => this.metrics.sendBatches.inc({ shard }),
      });
      this.#writers.set(shardId, w);
    }
    return w;
  }

  #checkBody(body: string): void {
    if (body.trim().length === 0) throw new AppError("CHAT_VALIDATION_FAILED", "body must not be blank");
    if ([...body].length > this.maxLength) {
      throw new AppError("CHAT_VALIDATION_FAILED", `body must be at most ${this.maxLength} characters`);
    }
  }

  async #resolveMentions(body: string): Promise<Mention[]> {
    const names = parseMentions(body);
    const users = await this.accounts.findByUsernames(names);
    return users.map((u) => ({ userId: u.id, username: u.username }));
  }

  async send(
    userId: number,
    input: { roomId: number; body: string; clientMsgId?: string | undefined; parentSeq?: number | undefined },
    transport: "http" | "socket",
    /** The sending socket (its own limit applies on top of the user's). */
    socketId?: string,
  ): Promise<SendResult> {
    this.#checkBody(input.body);
    await this.limits?.take(userId, socketId);
    // No membership pre-check here: the shard writer checks membership (and a reply's
    // parent) under the room lock in the batch transaction, answering exactly as
    // RoomService.requireMember would (403 public / 404 private) — one query per batch
    // instead of one per send.
    const mentions = await this.#resolveMentions(input.body);
    const started = process.hrtime.bigint();
    let shardId = -1;
    const result = await this.router.withFence(input.roomId, (route) => {
      shardId = route.shardId;
      return this.writer(route.shardId).send(route, {
        senderId: userId,
        body: input.body,
        parentSeq: input.parentSeq ?? null,
        mentions,
        clientMsgId: input.clientMsgId ?? null,
      });
    });
    const shard = String(shardId);
    this.metrics.sendDuration.observe({ shard }, Number(process.hrtime.bigint() - started) / 1e9);
    if (result.duplicate) {
      this.metrics.messageDuplicates.inc();
    } else {
      this.metrics.messagesSent.inc({ shard, transport });
      this.heat?.record(shardId, input.roomId);
      // Commit → ack the sender → fan out (DESIGN.md): the caller acks in the promise
      // continuations of this return, which all run before the next macrotask.
      const message = result.message;
      setImmediate(() => {
        try {
          this.sink.toRoom(input.roomId, "message:created", message);
        } catch {
          // Never crash on a fan-out: the message is committed; members recover it via sync.
        }
      });
    }
    return result;
  }

  async get(userId: number, roomId: number, seq: number): Promise<MessageDto> {
    const ctx = await this.rooms.requireMember(roomId, userId);
    const m = await loadMessage(ctx.pool, roomId, seq);
    if (!m) throw new AppError("CHAT_MESSAGE_NOT_FOUND");
    return m;
  }

  async edit(userId: number, roomId: number, seq: number, body: string): Promise<MessageDto> {
    this.#checkBody(body);
    await this.rooms.requireMember(roomId, userId);
    const mentions = await this.#resolveMentions(body);
    const message = await this.router.write(roomId, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq = ?`,
        [roomId, seq],
      );
      const r = rows[0];
      if (!r) throw new AppError("CHAT_MESSAGE_NOT_FOUND");
      if (r.deleted_at) throw new AppError("CHAT_MESSAGE_DELETED");
      if (Number(r.sender_id) !== userId)
        throw new AppError("CHAT_FORBIDDEN", "only the author can edit a message");
      await conn.query(
        "UPDATE messages SET body = ?, mentions = ?, edited_at = CURRENT_TIMESTAMP(3) WHERE room_id = ? AND seq = ?",
        [body, JSON.stringify(mentions), roomId, seq],
      );
      const m = await loadMessage(conn, roomId, seq);
      if (!m) throw new AppError("CHAT_MESSAGE_NOT_FOUND");
      await writeOutbox(conn, roomId, "message.edited", m);
      return m;
    });
    this.sink.toRoom(roomId, "message:edited", message);
    return message;
  }

  /** Leaves a tombstone (seq and metadata stay, body is cleared). Idempotent. */
  async delete(userId: number, roomId: number, seq: number): Promise<void> {
    const ctx = await this.rooms.requireMember(roomId, userId);
    const deletedAt = await this.router.write(roomId, async (conn, room) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        "SELECT sender_id, deleted_at FROM messages WHERE room_id = ? AND seq = ?",
        [roomId, seq],
      );
      const r = rows[0];
      if (!r) throw new AppError("CHAT_MESSAGE_NOT_FOUND");
      if (r.deleted_at) return null;
      const isAuthor = Number(r.sender_id) === userId;
      if (!isAuthor && !can(ctx.role, "delete-any-message", room.kind)) {
        throw new AppError("CHAT_FORBIDDEN", "only the author or a room admin can delete a message");
      }
      const at = new Date();
      await conn.query(
        "UPDATE messages SET body = '', mentions = '[]', deleted_at = ?, deleted_by = ? WHERE room_id = ? AND seq = ?",
        [at, userId, roomId, seq],
      );
      await writeOutbox(conn, roomId, "message.deleted", {
        roomId,
        seq,
        by: userId,
        deletedAt: at.toISOString(),
      });
      return at.toISOString();
    });
    if (deletedAt)
      this.sink.toRoom(roomId, "message:deleted", { roomId, seq, id: `${roomId}:${seq}`, deletedAt });
  }

  async react(
    userId: number,
    roomId: number,
    seq: number,
    emoji: string,
    add: boolean,
  ): Promise<ReactionCount[]> {
    await this.rooms.requireMember(roomId, userId);
    const { changed, reactions } = await this.router.write(roomId, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        "SELECT deleted_at FROM messages WHERE room_id = ? AND seq = ?",
        [roomId, seq],
      );
      const r = rows[0];
      if (!r) throw new AppError("CHAT_MESSAGE_NOT_FOUND");
      if (r.deleted_at && add) throw new AppError("CHAT_MESSAGE_DELETED");
      const [res] = add
        ? await conn.query(
            "INSERT IGNORE INTO reactions (room_id, seq, emoji, user_id) VALUES (?, ?, ?, ?)",
            [roomId, seq, emoji, userId],
          )
        : await conn.query(
            "DELETE FROM reactions WHERE room_id = ? AND seq = ? AND emoji = ? AND user_id = ?",
            [roomId, seq, emoji, userId],
          );
      const changed = (res as { affectedRows: number }).affectedRows > 0;
      if (changed) {
        await writeOutbox(conn, roomId, add ? "reaction.added" : "reaction.removed", {
          roomId,
          seq,
          emoji,
          userId,
        });
      }
      const reactions = (await loadReactions(conn, roomId, [seq])).get(seq) ?? [];
      return { changed, reactions };
    });
    if (changed) {
      const count = reactions.find((x) => x.emoji === emoji)?.count ?? 0;
      this.sink.toRoom(roomId, "reaction:updated", { roomId, seq, emoji, count, userId, added: add });
    }
    return reactions;
  }

  /**
   * History by seq cursor, always returned oldest first.
   * after → the next messages after that seq; before → the ones just before it;
   * neither → the latest page.
   */
  async history(
    userId: number,
    roomId: number,
    q: {
      before?: number | undefined;
      after?: number | undefined;
      limit: number;
      parentSeq?: number | undefined;
    },
  ): Promise<HistoryPage> {
    const ctx = await this.rooms.requireMember(roomId, userId);
    const limit = Math.min(Math.max(q.limit, 1), HISTORY_MAX_LIMIT);
    // parentSeq narrows the page to one thread's replies.
    const thread = q.parentSeq !== undefined ? "AND parent_seq = ? " : "";
    const threadArgs = q.parentSeq !== undefined ? [q.parentSeq] : [];
    let messages: MessageDto[];
    if (q.after !== undefined) {
      const extra = q.before !== undefined ? "AND seq > ? AND seq < ?" : "AND seq > ?";
      const args = q.before !== undefined ? [q.after, q.before] : [q.after];
      messages = await loadMessages(
        ctx.pool,
        roomId,
        thread + extra,
        [...threadArgs, ...args],
        "ASC",
        limit + 1,
      );
    } else {
      const extra = q.before !== undefined ? "AND seq < ?" : "";
      const args = [...threadArgs, ...(q.before !== undefined ? [q.before] : [])];
      const rows = await loadMessages(ctx.pool, roomId, thread + extra, args, "DESC", limit + 1);
      return {
        messages: rows.slice(0, limit).reverse(),
        lastSeq: ctx.room.seq,
        hasMore: rows.length > limit,
      };
    }
    const hasMore = messages.length > limit;
    return { messages: messages.slice(0, limit), lastSeq: ctx.room.seq, hasMore };
  }

  /** What a client missed after afterSeq (reconnect or gap). */
  sync(userId: number, roomId: number, afterSeq: number, limit = HISTORY_MAX_LIMIT): Promise<HistoryPage> {
    return this.history(userId, roomId, { after: afterSeq, limit });
  }
}
