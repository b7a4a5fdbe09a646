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
import type { Pool, RowDataPacket } from "../db/pool.js";
import type { EventSink } from "../events.js";
import { type EventConsumer, type Outcome, once } from "../pipeline/consumer.js";
import { asChatEvent, type ChatEvent, type Envelope } from "../pipeline/events.js";
import type { PipelineMetrics } from "../pipeline/metrics.js";
import type { NotificationDto, NotificationKind, UnreadCounter } from "../realtime/protocol.js";
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
    if (!ev) return "ignored";
    switch (ev.type) {
      case "message.created":
        return this.#message(ev);
      case "message.deleted": {
        const done = await once(this.catalog, this.name, ev.id, async (conn) => {
          await conn.query("DELETE FROM notifications WHERE room_id = ? AND seq = ?", [
            ev.roomId,
            ev.data.seq,
          ]);
        });
        return done ? "processed" : "duplicate";
      }
      case "read.marker": {
        const { userId, lastReadSeq } = ev.data;
        const done = await once(this.catalog, this.name, ev.id, async (conn) => {
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
          return rows[0] ? counterDto(rows[0]) : null;
        });
        if (!done) return "duplicate";
        if (done.value) this.#pusher.add(userId, done.value);
        return "processed";
      }
      case "member.left": {
        const done = await once(this.catalog, this.name, ev.id, async (conn) => {
          await conn.query("DELETE FROM notification_unread WHERE user_id = ? AND room_id = ?", [
            ev.data.userId,
            ev.roomId,
          ]);
        });
        return done ? "processed" : "duplicate";
      }
      case "room.deleted": {
        const done = await once(this.catalog, this.name, ev.id, async (conn) => {
          await conn.query("DELETE FROM notification_unread WHERE room_id = ?", [ev.roomId]);
          await conn.query("DELETE FROM notification_prefs WHERE room_id = ?", [ev.roomId]);
        });
        return done ? "processed" : "duplicate";
      }
      default:
        return "ignored";
    }
  }

  async #message(ev: MessageCreated): Promise<Outcome> {
    const m = ev.data;
    const route = await this.router.directory.lookup(m.roomId);
    if (!route || route.state === "deleted") return "ignored";
    const [members] = await this.router.shards
      .pool(route.shardId)
      .query<RowDataPacket[]>(
        "SELECT m.user_id, r.kind FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.room_id = ?",
        [m.roomId],
      );
    const kind = String(members[0]?.kind ?? "");
    const recipients = members.map((r) => Number(r.user_id)).filter((id) => id !== m.senderId);
    if (recipients.length === 0) {
      const done = await once(this.catalog, this.name, ev.id, async () => {});
      return done ? "processed" : "duplicate";
    }
    const memberSet = new Set(recipients);
    const mentioned = new Set(m.mentions.map((x) => x.userId).filter((id) => memberSet.has(id)));
    const roomMention = ROOM_MENTION_RE.test(m.body);
    const wanted = new Map<number, NotificationKind>();
    for (const id of recipients) {
      if (kind === "direct") wanted.set(id, "dm");
      else if (mentioned.has(id)) wanted.set(id, "mention");
      else if (roomMention) wanted.set(id, "room_mention");
    }
    // Who is looking at the room right now: no notification for them.
    const viewing = await this.focus.viewers([...wanted.keys()], m.roomId);
    for (const id of viewing) wanted.delete(id);
    const text = snippet(m.body);

    const done = await once(this.catalog, this.name, ev.id, async (conn) => {
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
      let created: { userId: number; n: NotificationDto }[] = [];
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
        const withHook = new Set(hooks.map((h) => Number(h.user_id)));
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
      const [counters] = await conn.query<RowDataPacket[]>(
        "SELECT * FROM notification_unread WHERE room_id = ? AND user_id IN (?)",
        [m.roomId, recipients],
      );
      return { created, counters: counters.map((r) => ({ userId: Number(r.user_id), c: counterDto(r) })) };
    });
    if (!done) return "duplicate";
    for (const { userId, n } of done.value.created) {
      this.metrics.notifications.inc({ kind: n.kind });
      this.sink.toUser(userId, "notification:new", n);
    }
    for (const { userId, c } of done.value.counters) this.#pusher.add(userId, c);
    return "processed";
  }
}
