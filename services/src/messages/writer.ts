// The send path of one shard, with group commit: sends that arrive while earlier
// batches are in flight are stored together in ONE shard transaction (one fsync
// for many messages). Under light load every send is its own batch, so latency
// does not grow; under load throughput grows with the batch size.
//
// A batch transaction:
//   1. (before it) answer sends whose clientMsgId is already in message_dedup;
//      repeats of one key inside the batch are stored once;
//   2. SELECT … FROM rooms WHERE id IN (…) ORDER BY id FOR UPDATE — locks every room
//      of the batch in id order (no deadlocks between batches) and is the epoch
//      fence: a room missing here or at another epoch than the route → that send
//      gets StaleRouteError and is re-routed by the caller;
//   3. re-check membership under those locks (kicks take the same lock);
//   4. give each room's sends consecutive seqs after the locked counter, bump the
//      counters, insert messages, dedup records and outbox rows (multi-row); commit.
// Failures that belong to one send (moved room, not a member) reject only that
// send. If the whole batch fails (a dedup race with another instance, a deadlock),
// its sends are retried one by one, where each outcome is unambiguous.
import { isDuplicateKey, type Pool, type RowDataPacket, withTransaction } from "../db/pool.js";
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

export interface WriterOptions {
  /** Most sends stored by one transaction. */
  maxBatch: number;
  /** Batches in flight at once per shard (each holds one pooled connection). */
  maxInFlight: number;
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

const isDeadlock = (err: unknown): boolean => {
  const code = (err as { code?: string } | null)?.code;
  return code === "ER_LOCK_DEADLOCK" || code === "ER_LOCK_WAIT_TIMEOUT";
};

export class ShardWriter {
  readonly #queue: Pending[] = [];
  #inFlight = 0;

  constructor(
    readonly shardId: number,
    private readonly pool: Pool,
    private readonly opts: WriterOptions = { maxBatch: 256, maxInFlight: 4 },
  ) {}

  send(route: RoomRoute, input: SendInput): Promise<SendResult> {
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
      if (open.length > 1 && (isDuplicateKey(err) || isDeadlock(err))) {
        for (const p of open) await this.#run([p]);
        return;
      }
      if (open.length === 1 && isDeadlock(err)) {
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
    // 1. Retries of already-stored sends, and repeats inside this batch.
    const prior = await this.#findPrior(open);
    await Promise.all([...prior].map(([p, seq]) => this.#resolvePrior(p, seq)));
    const leaders: Pending[] = [];
    const followers = new Map<Pending, Pending>();
    const firstByKey = new Map<string, Pending>();
    for (const p of open) {
      if (prior.has(p)) continue;
      if (p.input.clientMsgId === null) {
        leaders.push(p);
        continue;
      }
      const key = dedupKey(p.route.roomId, p.input.senderId, p.input.clientMsgId);
      const first = firstByKey.get(key);
      if (first) followers.set(p, first);
      else {
        firstByKey.set(key, p);
        leaders.push(p);
      }
    }
    if (leaders.length === 0) return;

    const stored = await withTransaction(this.pool, async (conn) => {
      // 2. Lock the batch's rooms in id order; the epoch fence per send.
      const roomIds = [...new Set(leaders.map((p) => p.route.roomId))].sort((a, b) => a - b);
      const [roomRows] = await conn.query<RowDataPacket[]>(
        "SELECT id, seq, epoch, deleted_at FROM rooms WHERE id IN (?) ORDER BY id FOR UPDATE",
        [roomIds],
      );
      const rooms = new Map(roomRows.map((r) => [Number(r.id), r]));
      let live = leaders.filter((p) => {
        const r = rooms.get(p.route.roomId);
        if (!r || Number(r.epoch) !== p.route.epoch) {
          p.reject(
            new StaleRouteError(
              `room ${p.route.roomId} is not at epoch ${p.route.epoch} on shard ${this.shardId}`,
            ),
          );
          return false;
        }
        if (r.deleted_at) {
          p.reject(new AppError("CHAT_ROOM_NOT_FOUND"));
          return false;
        }
        return true;
      });
      if (live.length === 0) return [];

      // 3. Membership under the room locks.
      const [memberRows] = await conn.query<RowDataPacket[]>(
        "SELECT room_id, user_id FROM room_members WHERE (room_id, user_id) IN (?)",
        [
          [...new Set(live.map((p) => `${p.route.roomId}:${p.input.senderId}`))].map((k) =>
            k.split(":").map(Number),
          ),
        ],
      );
      const members = new Set(memberRows.map((r) => `${Number(r.room_id)}:${Number(r.user_id)}`));
      live = live.filter((p) => {
        if (members.has(`${p.route.roomId}:${p.input.senderId}`)) return true;
        p.reject(new AppError("CHAT_NOT_A_MEMBER"));
        return false;
      });
      if (live.length === 0) return [];

      // 4. Consecutive seqs per room after the locked counter, in arrival order.
      const next = new Map<number, number>();
      const createdAt = new Date();
      const out: { p: Pending; message: MessageDto }[] = [];
      for (const p of live) {
        const roomId = p.route.roomId;
        const seq = (next.get(roomId) ?? Number(rooms.get(roomId)?.seq)) + 1;
        next.set(roomId, seq);
        out.push({
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
      const cases = [...next].flat();
      await conn.query(
        `UPDATE rooms SET seq = CASE id ${[...next].map(() => "WHEN ? THEN ?").join(" ")} END WHERE id IN (?)`,
        [...cases, [...next.keys()]],
      );
      await conn.query(
        `INSERT INTO messages (room_id, seq, sender_id, body, parent_seq, mentions, client_msg_id, created_at) VALUES ?`,
        [
          out.map(({ message: m }) => [
            m.roomId,
            m.seq,
            m.senderId,
            m.body,
            m.parentSeq,
            JSON.stringify(m.mentions),
            m.clientMsgId,
            createdAt,
          ]),
        ],
      );
      const dedup = out.filter(({ message: m }) => m.clientMsgId !== null);
      if (dedup.length > 0) {
        await conn.query(
          "INSERT INTO message_dedup (room_id, sender_id, client_msg_id, seq, created_at) VALUES ?",
          [dedup.map(({ message: m }) => [m.roomId, m.senderId, m.clientMsgId, m.seq, createdAt])],
        );
      }
      await conn.query("INSERT INTO outbox (room_id, event_type, payload) VALUES ?", [
        out.map(({ message: m }) => [m.roomId, "message.created", JSON.stringify(m)]),
      ]);
      return out;
    });

    this.opts.onBatch?.(stored.length);
    for (const { p, message } of stored) p.resolve({ message, duplicate: false });
    const byLeader = new Map(stored.map(({ p, message }) => [p, message]));
    for (const [follower, leader] of followers) {
      const message = byLeader.get(leader);
      if (message) follower.resolve({ message, duplicate: true });
      // The leader was refused (moved room, not a member): so is its repeat.
      else follower.reject(leader.error ?? new StaleRouteError("retry with the leader's outcome"));
    }
  }
}
