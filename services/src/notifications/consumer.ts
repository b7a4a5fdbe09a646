// The notification consumer. From each message event it derives, in one catalog
// transaction with the processed_events row (so a replay has no second effect):
//  - unread counters for every other member (unread = last seq − last read seq), and
//    a mention counter;
//  - notifications: "dm" (any message in a direct room), "mention" (@username) and
//    "room_mention" (@room) — one per user per message, only for members who are not
//    looking at the room right now (focus) and have not muted it;
//  - webhook deliveries for users with a webhook.
// After the commit, notifications and counter changes go live to the user's own
// socket channel (user:<id>), whichever node the user is on.

import { asChatEvent, type ChatEvent, type Envelope } from "../contracts/events.js";
import type { NotificationDto, NotificationKind, UnreadCounter } from "../contracts/protocol.js";
import { type Pool, type PoolConnection, type RowDataPacket, withTransaction } from "../db/pool.js";
import type { EventSink } from "../fanout.js";
import { claim, type EventConsumer, type Outcome, once } from "../pipeline/consumer.js";
import type { PipelineMetrics } from "../pipeline/metrics.js";
import type { RoomRouter } from "../sharding/router.js";
import type { Focus } from "./focus.js";

/** "@room" not preceded by a word character (like @username mentions). */
export const ROOM_MENTION_RE = /(?<![\p{L}\p{N}_.@-])@room(?![\p{L}\p{N}_-])/iu;

export const SNIPPET_LENGTH = 140;

export const snippet = (body: string): string => {
  const chars = Array.from(body.replace(/\s+/g, " ").trim());
  return chars.length > SNIPPET_LENGTH ? `${chars.slice(0, SNIPPET_LENGTH - 1).join("")}…` : chars.join("");
};

export function notificationDto(r: RowDataPacket): NotificationDto {
  return {
    id: Number(r.id),
    kind: r.kind as NotificationKind,
    roomId: Number(r.room_id),
    seq: Number(r.seq),
    messageId: `${Number(r.room_id)}:${Number(r.seq)}`,
    actorId: Number(r.actor_id),
    snippet: String(r.snippet),
    createdAt: (r.created_at as Date).toISOString(),
    readAt: r.read_at ? (r.read_at as Date).toISOString() : null,
  };
}

export const counterDto = (r: RowDataPacket): UnreadCounter => ({
  roomId: Number(r.room_id),
  unread: Math.max(0, Number(r.last_seq) - Number(r.last_read_seq)),
  mentions: Number(r.mentions),
  lastSeq: Number(r.last_seq),
  lastReadSeq: Number(r.last_read_seq),
});

/** Coalesces counter pushes: at most one `notification:unread` per user per flush. */
class UnreadPusher {
  readonly #dirty = new Map<number, Map<number, UnreadCounter>>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sink: EventSink,
    private readonly intervalMs: number,
  ) {}

  add(userId: number, c: UnreadCounter): void {
    let m = this.#dirty.get(userId);
    if (!m) {
      m = new Map();
      this.#dirty.set(userId, m);
    }
    m.set(c.roomId, c);
    this.#timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const [userId, rooms] of this.#dirty) {
      this.sink.toUser(userId, "notification:unread", { rooms: [...rooms.values()] });
    }
    this.#dirty.clear();
  }
}

type MessageCreated = Extract<ChatEvent, { type: "message.created" }>;

const HANDLED: ReadonlySet<string> = new Set([
  "message.created",
  "message.deleted",
  "read.marker",
  "member.left",
  "room.deleted",
]);

/** What a message needs from outside the catalog transaction (shard members, Redis focus). */
interface MessagePlan {
  kind: string;
  recipients: number[];
  mentioned: Set<number>;
  roomMention: boolean;
  /** Candidates for a notification (before mutes): not the sender, not looking at the room. */
  wanted: Map<number, NotificationKind>;
}

/** Recipients, mentions and notification candidates of one new message. */
export function planMessage(ev: MessageCreated, kind: string, members: readonly number[]): MessagePlan {
  const m = ev.data;
  const recipients = members.filter((id) => id !== m.senderId);
  const memberSet = new Set(recipients);
  const mentioned = new Set(m.mentions.map((x) => x.userId).filter((id) => memberSet.has(id)));
  const roomMention = ROOM_MENTION_RE.test(m.body);
  const wanted = new Map<number, NotificationKind>();
  for (const id of recipients) {
    if (kind === "direct") wanted.set(id, "dm");
    else if (mentioned.has(id)) wanted.set(id, "mention");
    else if (roomMention) wanted.set(id, "room_mention");
  }
  return { kind, recipients, mentioned, roomMention, wanted };
}

interface Effects {
  created: { userId: number; n: NotificationDto }[];
  counters: { userId: number; c: UnreadCounter }[];
}

const NO_EFFECTS: Effects = { created: [], counters: [] };

/** Queues a pending webhook delivery for each new notification whose user has a webhook. */
async function queueWebhookDeliveries(
  conn: PoolConnection,
  created: Effects["created"],
  withHook: ReadonlySet<number>,
): Promise<void> {
  const deliveries = created
    .filter((c) => withHook.has(c.userId))
    .map((c) => [
      c.userId,
      c.n.id,
      JSON.stringify({ type: "notification", userId: c.userId, notification: c.n }),
      "pending",
      new Date(),
    ]);
  if (deliveries.length > 0) {
    await conn.query(
      "INSERT INTO webhook_deliveries (user_id, notification_id, payload, state, next_attempt_at) VALUES ?",
      [deliveries],
    );
  }
}

export class NotificationConsumer implements EventConsumer {
  readonly name = "notifications";
  readonly #pusher: UnreadPusher;

  constructor(
    private readonly catalog: Pool,
    private readonly router: RoomRouter,
    private readonly focus: Focus,
    private readonly sink: EventSink,
    private readonly metrics: PipelineMetrics,
    pushIntervalMs = 200,
  ) {
    this.#pusher = new UnreadPusher(sink, pushIntervalMs);
  }

  flush(): void {
    this.#pusher.flush();
  }

  async handle(e: Envelope): Promise<Outcome> {
    const ev = asChatEvent(e);
    if (!ev || !HANDLED.has(ev.type)) return "ignored";
    const plan = await this.#prepare(ev);
    if (plan === "skip") return "ignored";
    const done = await once(this.catalog, this.name, ev.id, (conn) => this.#apply(conn, ev, plan));
    if (!done) return "duplicate";
    this.#after(done.value);
    return "processed";
  }

  /**
   * One catalog transaction for the whole batch. Room facts (members, who is looking,
   * mutes, webhooks) are read once per room per batch; new messages' counters and
   * notifications are written with multi-row statements, flushed before any other event
   * (a read marker or a delete must see them).
   */
  async handleBatch(events: Envelope[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = events.map(() => "ignored");
    const rooms = new Map<number, { kind: string; members: number[] } | null>();
    const work: { i: number; ev: ChatEvent }[] = [];
    for (const [i, e] of events.entries()) {
      const ev = asChatEvent(e);
      if (!ev || !HANDLED.has(ev.type)) continue;
      if (ev.type === "message.created" && !rooms.has(ev.roomId)) {
        rooms.set(ev.roomId, await this.#roomMembers(ev.roomId));
      }
      if (ev.type === "message.created" && rooms.get(ev.roomId) === null) continue;
      work.push({ i, ev });
    }
    if (work.length === 0) return outcomes;
    // Who might get a notification, per room; then who of them is looking at it.
    const plans = new Map<number, MessagePlan>();
    const candidates = new Map<number, Set<number>>();
    for (const { i, ev } of work) {
      if (ev.type !== "message.created") continue;
      const room = rooms.get(ev.roomId);
      if (!room) continue;
      const plan = planMessage(ev, room.kind, room.members);
      plans.set(i, plan);
      const set = candidates.get(ev.roomId) ?? new Set<number>();
      for (const id of plan.wanted.keys()) set.add(id);
      candidates.set(ev.roomId, set);
    }
    const viewing = new Map<number, Set<number>>();
    for (const [roomId, users] of candidates)
      viewing.set(roomId, await this.focus.viewers([...users], roomId));

    const effects = await withTransaction(this.catalog, async (conn) => {
      const out: Effects[] = [];
      const wantedAll = [...new Set([...candidates.values()].flatMap((s) => [...s]))];
      const muted = new Set<string>();
      const hooks = new Set<number>();
      if (wantedAll.length > 0) {
        const [mrows] = await conn.query<RowDataPacket[]>(
          "SELECT user_id, room_id FROM notification_prefs WHERE room_id IN (?) AND user_id IN (?) AND muted = 1",
          [[...candidates.keys()], wantedAll],
        );
        for (const r of mrows) muted.add(`${Number(r.room_id)}:${Number(r.user_id)}`);
        const [hrows] = await conn.query<RowDataPacket[]>(
          "SELECT user_id FROM notification_webhooks WHERE user_id IN (?)",
          [wantedAll],
        );
        for (const r of hrows) hooks.add(Number(r.user_id));
      }
      // Pending writes of new messages: room → user → [max seq, mention increments].
      const unread = new Map<number, Map<number, [number, number]>>();
      const notes: unknown[][] = [];
      const noteEvents: string[] = [];
      const touched = new Map<number, Set<number>>();
      const flush = async () => {
        for (const [roomId, users] of unread) {
          if (users.size === 0) continue;
          await conn.query(
            `INSERT INTO notification_unread (user_id, room_id, last_seq, mentions) VALUES ?
             ON DUPLICATE KEY UPDATE
               mentions = IF(last_read_seq < VALUES(last_seq), mentions + VALUES(mentions), mentions),
               last_seq = GREATEST(last_seq, VALUES(last_seq)), updated_at = CURRENT_TIMESTAMP(3)`,
            [[...users].map(([userId, [seq, inc]]) => [userId, roomId, seq, inc])],
          );
        }
        unread.clear();
        if (notes.length > 0) {
          await conn.query(
            "INSERT IGNORE INTO notifications (user_id, kind, room_id, seq, actor_id, snippet, event_id, created_at) VALUES ?",
            [notes.splice(0)],
          );
          const [rows] = await conn.query<RowDataPacket[]>(
            "SELECT * FROM notifications WHERE event_id IN (?)",
            [noteEvents.splice(0)],
          );
          const created = rows.map((r) => ({ userId: Number(r.user_id), n: notificationDto(r) }));
          await queueWebhookDeliveries(conn, created, hooks);
          out.push({ created, counters: [] });
        }
      };
      for (const { i, ev } of work) {
        if (!(await claim(conn, this.name, ev.id))) {
          outcomes[i] = "duplicate";
          continue;
        }
        outcomes[i] = "processed";
        const plan = plans.get(i);
        if (ev.type === "message.created" && plan) {
          const m = ev.data;
          const users = unread.get(m.roomId) ?? new Map<number, [number, number]>();
          unread.set(m.roomId, users);
          const counted = new Set(
            plan.roomMention || plan.kind === "direct" ? plan.recipients : plan.mentioned,
          );
          for (const id of plan.recipients) {
            const [seq, inc] = users.get(id) ?? [0, 0];
            users.set(id, [Math.max(seq, m.seq), inc + (counted.has(id) ? 1 : 0)]);
          }
          const t = touched.get(m.roomId) ?? new Set<number>();
          for (const id of plan.recipients) t.add(id);
          touched.set(m.roomId, t);
          const looking = viewing.get(m.roomId);
          const text = snippet(m.body);
          let any = false;
          for (const [id, k] of plan.wanted) {
            if (looking?.has(id) || muted.has(`${m.roomId}:${id}`)) continue;
            notes.push([id, k, m.roomId, m.seq, m.senderId, text, ev.id, new Date(m.createdAt)]);
            any = true;
          }
          if (any) noteEvents.push(ev.id);
          continue;
        }
        await flush();
        out.push(await this.#apply(conn, ev, null));
      }
      await flush();
      // Counters of every user a new message touched, once per room (pushed coalesced).
      for (const [roomId, users] of touched) {
        if (users.size === 0) continue;
        const [rows] = await conn.query<RowDataPacket[]>(
          "SELECT * FROM notification_unread WHERE room_id = ? AND user_id IN (?)",
          [roomId, [...users]],
        );
        out.push({
          created: [],
          counters: rows.map((r) => ({ userId: Number(r.user_id), c: counterDto(r) })),
        });
      }
      return out;
    });
    for (const fx of effects) this.#after(fx);
    return outcomes;
  }

  async #roomMembers(roomId: number): Promise<{ kind: string; members: number[] } | null> {
    const route = await this.router.directory.lookup(roomId);
    if (!route || route.state === "deleted") return null;
    const [rows] = await this.router.shards
      .pool(route.shardId)
      .query<RowDataPacket[]>(
        "SELECT m.user_id, r.kind FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.room_id = ?",
        [roomId],
      );
    return { kind: String(rows[0]?.kind ?? ""), members: rows.map((r) => Number(r.user_id)) };
  }

  async #prepare(ev: ChatEvent): Promise<MessagePlan | null | "skip"> {
    if (ev.type !== "message.created") return null;
    const room = await this.#roomMembers(ev.roomId);
    if (!room) return "skip";
    const plan = planMessage(ev, room.kind, room.members);
    // Who is looking at the room right now: no notification for them.
    const viewing = await this.focus.viewers([...plan.wanted.keys()], ev.roomId);
    for (const id of viewing) plan.wanted.delete(id);
    return plan;
  }

  async #apply(conn: PoolConnection, ev: ChatEvent, plan: MessagePlan | null): Promise<Effects> {
    switch (ev.type) {
      case "message.created":
        return plan ? this.#message(conn, ev, plan) : NO_EFFECTS;
      case "message.deleted":
        await conn.query("DELETE FROM notifications WHERE room_id = ? AND seq = ?", [ev.roomId, ev.data.seq]);
        return NO_EFFECTS;
      case "read.marker": {
        const { userId, lastReadSeq } = ev.data;
        await conn.query(
          `INSERT INTO notification_unread (user_id, room_id, last_seq, last_read_seq) VALUES (?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE
             mentions = IF(GREATEST(last_read_seq, VALUES(last_read_seq)) >= last_seq, 0, mentions),
             last_read_seq = GREATEST(last_read_seq, VALUES(last_read_seq)),
             updated_at = CURRENT_TIMESTAMP(3)`,
          [userId, ev.roomId, lastReadSeq, lastReadSeq],
        );
        await conn.query(
          "UPDATE notifications SET read_at = CURRENT_TIMESTAMP(3) WHERE user_id = ? AND room_id = ? AND seq <= ? AND read_at IS NULL",
          [userId, ev.roomId, lastReadSeq],
        );
        const [rows] = await conn.query<RowDataPacket[]>(
          "SELECT * FROM notification_unread WHERE user_id = ? AND room_id = ?",
          [userId, ev.roomId],
        );
        return { created: [], counters: rows[0] ? [{ userId, c: counterDto(rows[0]) }] : [] };
      }
      case "member.left":
        await conn.query("DELETE FROM notification_unread WHERE user_id = ? AND room_id = ?", [
          ev.data.userId,
          ev.roomId,
        ]);
        return NO_EFFECTS;
      case "room.deleted":
        await conn.query("DELETE FROM notification_unread WHERE room_id = ?", [ev.roomId]);
        await conn.query("DELETE FROM notification_prefs WHERE room_id = ?", [ev.roomId]);
        return NO_EFFECTS;
      default:
        return NO_EFFECTS;
    }
  }

  #after(fx: Effects): void {
    for (const { userId, n } of fx.created) {
      this.metrics.notifications.inc({ kind: n.kind });
      this.sink.toUser(userId, "notification:new", n);
    }
    for (const { userId, c } of fx.counters) this.#pusher.add(userId, c);
  }

  async #message(conn: PoolConnection, ev: MessageCreated, plan: MessagePlan): Promise<Effects> {
    const m = ev.data;
    const { kind, recipients, mentioned, roomMention } = plan;
    if (recipients.length === 0) return NO_EFFECTS;
    const wanted = new Map(plan.wanted);
    const text = snippet(m.body);
    await conn.query(
      `INSERT INTO notification_unread (user_id, room_id, last_seq) VALUES ?
       ON DUPLICATE KEY UPDATE last_seq = GREATEST(last_seq, VALUES(last_seq)), updated_at = CURRENT_TIMESTAMP(3)`,
      [recipients.map((id) => [id, m.roomId, m.seq])],
    );
    const mentionCounted = roomMention || kind === "direct" ? recipients : [...mentioned];
    if (mentionCounted.length > 0) {
      await conn.query(
        "UPDATE notification_unread SET mentions = mentions + 1 WHERE room_id = ? AND user_id IN (?) AND last_read_seq < ?",
        [m.roomId, mentionCounted, m.seq],
      );
    }
    let created: Effects["created"] = [];
    if (wanted.size > 0) {
      const [muted] = await conn.query<RowDataPacket[]>(
        "SELECT user_id FROM notification_prefs WHERE room_id = ? AND user_id IN (?) AND muted = 1",
        [m.roomId, [...wanted.keys()]],
      );
      for (const r of muted) wanted.delete(Number(r.user_id));
    }
    if (wanted.size > 0) {
      const users = [...wanted.keys()];
      await conn.query(
        "INSERT IGNORE INTO notifications (user_id, kind, room_id, seq, actor_id, snippet, event_id, created_at) VALUES ?",
        [
          [...wanted].map(([id, k]) => [
            id,
            k,
            m.roomId,
            m.seq,
            m.senderId,
            text,
            ev.id,
            new Date(m.createdAt),
          ]),
        ],
      );
      const [rows] = await conn.query<RowDataPacket[]>(
        "SELECT * FROM notifications WHERE room_id = ? AND seq = ? AND user_id IN (?) AND event_id = ?",
        [m.roomId, m.seq, users, ev.id],
      );
      created = rows.map((r) => ({ userId: Number(r.user_id), n: notificationDto(r) }));
      const [hooks] = await conn.query<RowDataPacket[]>(
        "SELECT user_id FROM notification_webhooks WHERE user_id IN (?)",
        [users],
      );
      await queueWebhookDeliveries(conn, created, new Set(hooks.map((h) => Number(h.user_id))));
    }
    const [counters] = await conn.query<RowDataPacket[]>(
      "SELECT * FROM notification_unread WHERE room_id = ? AND user_id IN (?)",
      [m.roomId, recipients],
    );
    return { created, counters: counters.map((r) => ({ userId: Number(r.user_id), c: counterDto(r) })) };
  }
}
