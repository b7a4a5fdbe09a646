// The send path of one shard, with group commit: sends that arrive while earlier
// batches are in flight are stored together in ONE shard transaction (one fsync
// for many messages). Under light load every send is its own batch, so latency
// does not grow; under load throughput grows with the batch size.
//
// A batch transaction is two round trips (statement batches on a connection of the
// shard's writer pool, the only pool with multipleStatements; every value is still
// escaped by the driver's placeholders), three when the batch holds replies:
//   1. START TRANSACTION; SELECT … FROM rooms WHERE id IN (…) ORDER BY id FOR UPDATE —
//      locks every room of the batch in id order (no deadlocks between batches) and
//      is the epoch fence: a room missing here or at another epoch than the route →
//      that send gets StaleRouteError and is re-routed by the caller; then, read under
//      those locks (kicks take the same lock), membership — the send path's only
//      membership check: a non-member of a public room gets 403, of a private or
//      direct room 404 (as RoomService.requireMember answers) — and the batch's
//      clientMsgIds already in message_dedup (answered with the original message;
//      repeats of one key inside the batch are stored once);
//   (a reply's parent must exist: one SELECT when the batch has replies;)
//   2. give each room's sends consecutive seqs after the locked counter: UPDATE the
//      counters; INSERT messages, dedup records and outbox rows (multi-row); COMMIT.
// Failures that belong to one send (moved room, not a member) reject only that
// send. If the whole batch fails (a dedup race with another instance, a deadlock),
// its sends are retried one by one, where each outcome is unambiguous.

import type { Mention, MessageDto } from "../contracts/protocol.js";
import { outboxRow } from "../db/outbox.js";
import { isDuplicateKey, type Pool, type RowDataPacket } from "../db/pool.js";
import { AppError } from "../errors.js";
import type { RoomRoute } from "../sharding/directory.js";
import { StaleRouteError } from "../sharding/router.js";
import { isLockConflict } from "../transient.js";
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

export interface WriterOptions {
  /** Most sends stored by one transaction. */
  maxBatch: number;
  /** Batches in flight at once per shard (each holds one pooled connection). */
  maxInFlight: number;
  /**
   * Sends waiting for a batch (not yet in flight) past which new sends are refused
   * with a retryable CHAT_OVERLOADED (503 + Retry-After): under overload latency stays
   * bounded instead of acks taking seconds. A refused send was never accepted.
   */
  maxQueue?: number;
  /** Called after each committed batch with its number of stored messages (metrics). */
  onBatch?: (stored: number) => void;
}

interface Pending {
  route: RoomRoute;
  input: SendInput;
  settled: boolean;
  /** Why it was refused, so repeats of the same clientMsgId in the batch get the same answer. */
  error?: unknown;
  resolve(r: SendResult): void;
  reject(e: unknown): void;
}

const dedupKey = (roomId: number, senderId: number, clientMsgId: string): string =>
  `${roomId}\u0000${senderId}\u0000${clientMsgId}`;

export class ShardWriter {
  readonly #queue: Pending[] = [];
  #inFlight = 0;

  constructor(
    readonly shardId: number,
    /** A pool created with multipleStatements (ShardSet.writerPool): batches are statement batches. */
    private readonly pool: Pool,
    private readonly opts: WriterOptions = { maxBatch: 512, maxInFlight: 4 },
  ) {}

  /** Sends waiting for a batch. */
  get queued(): number {
    return this.#queue.length;
  }

  send(route: RoomRoute, input: SendInput): Promise<SendResult> {
    const max = this.opts.maxQueue;
    if (max !== undefined && this.#queue.length >= max) {
      return Promise.reject(
        new AppError("CHAT_OVERLOADED", `shard ${this.shardId} has too many sends waiting; retry shortly`, {
          retryAfterSeconds: 1,
        }),
      );
    }
    return new Promise<SendResult>((resolve, reject) => {
      const p: Pending = {
        route,
        input,
        settled: false,
        resolve: (r) => {
          if (p.settled) return;
          p.settled = true;
          resolve(r);
        },
        reject: (e) => {
          if (p.settled) return;
          p.settled = true;
          p.error = e;
          reject(e);
        },
      };
      this.#queue.push(p);
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.opts.maxInFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.opts.maxBatch);
      this.#inFlight++;
      void this.#run(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #run(batch: Pending[]): Promise<void> {
    try {
      await this.#storeBatch(batch);
    } catch (err) {
      const open = batch.filter((p) => !p.settled);
      if (open.length > 1 && (isDuplicateKey(err) || isLockConflict(err))) {
        for (const p of open) await this.#run([p]);
        return;
      }
      if (open.length === 1 && isLockConflict(err)) {
        // A lone send that lost a deadlock is simply tried again once.
        await this.#storeBatch(open).catch((e: unknown) => open[0]?.reject(e));
        return;
      }
      if (open.length === 1 && isDuplicateKey(err)) {
        // A concurrent retry of the same clientMsgId committed first: answer with it.
        const p = open[0] as Pending;
        const prior = await this.#findPrior([p]).catch(() => new Map<Pending, number>());
        const seq = prior.get(p);
        if (seq !== undefined) {
          await this.#resolvePrior(p, seq);
          return;
        }
      }
      for (const p of open) p.reject(err);
    }
  }

  async #findPrior(sends: Pending[]): Promise<Map<Pending, number>> {
    const keyed = sends.filter((p) => p.input.clientMsgId !== null);
    const out = new Map<Pending, number>();
    if (keyed.length === 0) return out;
    const [rows] = await this.pool.query<RowDataPacket[]>(
      "SELECT room_id, sender_id, client_msg_id, seq FROM message_dedup WHERE (room_id, sender_id, client_msg_id) IN (?)",
      [keyed.map((p) => [p.route.roomId, p.input.senderId, p.input.clientMsgId])],
    );
    const found = new Map<string, number>();
    for (const r of rows) {
      found.set(dedupKey(Number(r.room_id), Number(r.sender_id), String(r.client_msg_id)), Number(r.seq));
    }
    for (const p of keyed) {
      const seq = found.get(dedupKey(p.route.roomId, p.input.senderId, p.input.clientMsgId as string));
      if (seq !== undefined) out.set(p, seq);
    }
    return out;
  }

  async #resolvePrior(p: Pending, seq: number): Promise<void> {
    const message = await loadMessage(this.pool, p.route.roomId, seq);
    if (message) p.resolve({ message, duplicate: true });
    // The original was removed by retention after its dedup record was written.
    else p.reject(new AppError("CHAT_MESSAGE_NOT_FOUND", "the original message no longer exists"));
  }

  async #storeBatch(batch: Pending[]): Promise<void> {
    const open = batch.filter((p) => !p.settled);
    if (open.length === 0) return;
    const roomIds = [...new Set(open.map((p) => p.route.roomId))].sort((a, b) => a - b);
    const pairs = [...new Set(open.map((p) => `${p.route.roomId}:${p.input.senderId}`))].map((k) =>
      k.split(":").map(Number),
    );
    const keyed = open.filter((p) => p.input.clientMsgId !== null);
    const priors: { p: Pending; seq: number }[] = [];
    const followers = new Map<Pending, Pending>();

    const conn = await this.pool.getConnection();
    let stored: { p: Pending; message: MessageDto }[] = [];
    try {
      // Round trip 1 (one statement batch): begin; lock the batch's rooms in id order
      // (the epoch fence); then — read after the locks are held, so nothing committed
      // under them is missed — membership and already-stored clientMsgIds.
      const [results] = await conn.query<RowDataPacket[][]>(
        "START TRANSACTION; " +
          "SELECT id, kind, seq, epoch, deleted_at FROM rooms WHERE id IN (?) ORDER BY id FOR UPDATE; " +
          "SELECT room_id, user_id FROM room_members WHERE (room_id, user_id) IN (?)" +
          (keyed.length > 0
            ? "; SELECT room_id, sender_id, client_msg_id, seq FROM message_dedup WHERE (room_id, sender_id, client_msg_id) IN (?)"
            : ""),
        [
          roomIds,
          pairs,
          ...(keyed.length > 0
            ? [keyed.map((p) => [p.route.roomId, p.input.senderId, p.input.clientMsgId])]
            : []),
        ],
      );
      const rooms = new Map((results[1] ?? []).map((r) => [Number(r.id), r]));
      const members = new Set((results[2] ?? []).map((r) => `${Number(r.room_id)}:${Number(r.user_id)}`));
      const found = new Map<string, number>();
      for (const r of results[3] ?? []) {
        found.set(dedupKey(Number(r.room_id), Number(r.sender_id), String(r.client_msg_id)), Number(r.seq));
      }

      // Per send, in this order: moved → re-route; deleted → 404; not a member → 403
      // public / 404 private (as RoomService.requireMember answers); a retry of a stored
      // clientMsgId → the original; a repeat inside the batch → follows its first.
      let leaders: Pending[] = [];
      const firstByKey = new Map<string, Pending>();
      for (const p of open) {
        const r = rooms.get(p.route.roomId);
        if (!r || Number(r.epoch) !== p.route.epoch) {
          p.reject(
            new StaleRouteError(
              `room ${p.route.roomId} is not at epoch ${p.route.epoch} on shard ${this.shardId}`,
            ),
          );
          continue;
        }
        if (r.deleted_at) {
          p.reject(new AppError("CHAT_ROOM_NOT_FOUND"));
          continue;
        }
        if (!members.has(`${p.route.roomId}:${p.input.senderId}`)) {
          // A private room's existence is not revealed to non-members.
          p.reject(new AppError(r.kind === "public" ? "CHAT_NOT_A_MEMBER" : "CHAT_ROOM_NOT_FOUND"));
          continue;
        }
        if (p.input.clientMsgId === null) {
          leaders.push(p);
          continue;
        }
        const key = dedupKey(p.route.roomId, p.input.senderId, p.input.clientMsgId);
        const seq = found.get(key);
        if (seq !== undefined) {
          priors.push({ p, seq });
          continue;
        }
        const first = firstByKey.get(key);
        if (first) followers.set(p, first);
        else {
          firstByKey.set(key, p);
          leaders.push(p);
        }
      }

      // A reply's parent must exist (checked after membership, so non-members learn nothing).
      const replies = leaders.filter((p) => p.input.parentSeq !== null);
      if (replies.length > 0) {
        const [parentRows] = await conn.query<RowDataPacket[]>(
          "SELECT room_id, seq FROM messages WHERE (room_id, seq) IN (?)",
          [replies.map((p) => [p.route.roomId, p.input.parentSeq])],
        );
        const parents = new Set(parentRows.map((r) => `${Number(r.room_id)}:${Number(r.seq)}`));
        leaders = leaders.filter((p) => {
          if (p.input.parentSeq === null || parents.has(`${p.route.roomId}:${p.input.parentSeq}`))
            return true;
          p.reject(new AppError("CHAT_MESSAGE_NOT_FOUND", "the parent message does not exist"));
          return false;
        });
      }

      if (leaders.length === 0) {
        await conn.query("COMMIT");
      } else {
        // Consecutive seqs per room after the locked counter, in arrival order.
        const next = new Map<number, number>();
        const createdAt = new Date();
        for (const p of leaders) {
          const roomId = p.route.roomId;
          const seq = (next.get(roomId) ?? Number(rooms.get(roomId)?.seq)) + 1;
          next.set(roomId, seq);
          stored.push({
            p,
            message: {
              id: messageId(roomId, seq),
              roomId,
              seq,
              senderId: p.input.senderId,
              body: p.input.body,
              parentSeq: p.input.parentSeq,
              mentions: p.input.mentions,
              clientMsgId: p.input.clientMsgId,
              createdAt: createdAt.toISOString(),
              editedAt: null,
              deletedAt: null,
              reactions: [],
            },
          });
        }
        // Round trip 2 (one statement batch): bump the counters, insert messages, dedup
        // records and outbox rows (multi-row), commit. A failing statement stops the
        // batch before COMMIT, and the catch below rolls back.
        const dedup = stored.filter(({ message: m }) => m.clientMsgId !== null);
        await conn.query(
          `UPDATE rooms SET seq = CASE id ${[...next].map(() => "WHEN ? THEN ?").join(" ")} END WHERE id IN (?); ` +
            "INSERT INTO messages (room_id, seq, sender_id, body, parent_seq, mentions, client_msg_id, created_at) VALUES ?; " +
            (dedup.length > 0
              ? "INSERT INTO message_dedup (room_id, sender_id, client_msg_id, seq, created_at) VALUES ?; "
              : "") +
            "INSERT INTO outbox (room_id, event_type, payload) VALUES ?; COMMIT",
          [
            ...[...next].flat(),
            [...next.keys()],
            stored.map(({ message: m }) => [
              m.roomId,
              m.seq,
              m.senderId,
              m.body,
              m.parentSeq,
              JSON.stringify(m.mentions),
              m.clientMsgId,
              createdAt,
            ]),
            ...(dedup.length > 0
              ? [dedup.map(({ message: m }) => [m.roomId, m.senderId, m.clientMsgId, m.seq, createdAt])]
              : []),
            stored.map(({ message: m }) => outboxRow(m.roomId, "message.created", m)),
          ],
        );
      }
    } catch (err) {
      stored = [];
      await conn.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      conn.release();
    }

    if (stored.length > 0) this.opts.onBatch?.(stored.length);
    for (const { p, message } of stored) p.resolve({ message, duplicate: false });
    const byLeader = new Map(stored.map(({ p, message }) => [p, message]));
    for (const [follower, leader] of followers) {
      const message = byLeader.get(leader);
      if (message) follower.resolve({ message, duplicate: true });
      // The leader was refused (moved room, not a member, no parent): so is its repeat.
      else follower.reject(leader.error ?? new StaleRouteError("retry with the leader's outcome"));
    }
    // Retries of already-stored sends get the original message.
    await Promise.all(priors.map(({ p, seq }) => this.#resolvePrior(p, seq)));
  }
}
