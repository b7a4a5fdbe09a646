// The notification API: list (newest first, paged by id), mark read, unread
// counters, per-room mute, and the per-user webhook (URL + HMAC secret).
import { randomBytes } from "node:crypto";
import type { NotificationDto, UnreadCounter } from "../contracts/protocol.js";
import type { Pool, RowDataPacket } from "../db/pool.js";
import type { RoomService } from "../rooms/service.js";
import { counterDto, notificationDto } from "./consumer.js";

export const NOTIFICATIONS_MAX_LIMIT = 100;

export interface WebhookInfo {
  url: string;
  createdAt: string;
  updatedAt: string;
  deliveries: { pending: number; delivered: number; dead: number };
}

export interface DeadDelivery {
  id: number;
  notificationId: number;
  attempts: number;
  lastError: string | null;
  lastStatus: number | null;
  updatedAt: string;
}

export class NotificationService {
  constructor(
    private readonly catalog: Pool,
    private readonly rooms: RoomService,
  ) {}

  async list(
    userId: number,
    q: { before?: number | undefined; limit: number; unreadOnly?: boolean | undefined },
  ): Promise<{ notifications: NotificationDto[]; nextCursor: number | null }> {
    const limit = Math.min(Math.max(q.limit, 1), NOTIFICATIONS_MAX_LIMIT);
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      `SELECT * FROM notifications WHERE user_id = ? AND id < ? ${q.unreadOnly ? "AND read_at IS NULL" : ""}
        ORDER BY id DESC LIMIT ?`,
      [userId, q.before ?? Number.MAX_SAFE_INTEGER, limit + 1],
    );
    const page = rows.slice(0, limit).map(notificationDto);
    return { notifications: page, nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
  }

  /** Marks the given notifications (or all) read; returns how many changed. */
  async markRead(
    userId: number,
    input: { ids?: number[] | undefined; all?: boolean | undefined },
  ): Promise<number> {
    if (input.all) {
      const [res] = await this.catalog.query(
        "UPDATE notifications SET read_at = CURRENT_TIMESTAMP(3) WHERE user_id = ? AND read_at IS NULL",
        [userId],
      );
      return (res as { affectedRows: number }).affectedRows;
    }
    if (!input.ids || input.ids.length === 0) return 0;
    const [res] = await this.catalog.query(
      "UPDATE notifications SET read_at = CURRENT_TIMESTAMP(3) WHERE user_id = ? AND id IN (?) AND read_at IS NULL",
      [userId, input.ids],
    );
    return (res as { affectedRows: number }).affectedRows;
  }

  /** Rooms with unread messages or mentions, from the notification consumer's counters. */
  async unread(userId: number): Promise<UnreadCounter[]> {
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      `SELECT * FROM notification_unread WHERE user_id = ? AND (last_seq > last_read_seq OR mentions > 0)
        ORDER BY room_id LIMIT 1000`,
      [userId],
    );
    return rows.map(counterDto);
  }

  async setMuted(
    userId: number,
    roomId: number,
    muted: boolean,
  ): Promise<{ roomId: number; muted: boolean }> {
    await this.rooms.requireMember(roomId, userId);
    await this.catalog.query(
      `INSERT INTO notification_prefs (user_id, room_id, muted) VALUES (?, ?, ?)
       ON DUPLICATE KEY UPDATE muted = VALUES(muted), updated_at = CURRENT_TIMESTAMP(3)`,
      [userId, roomId, muted ? 1 : 0],
    );
    return { roomId, muted };
  }

  async getMuted(userId: number, roomId: number): Promise<{ roomId: number; muted: boolean }> {
    await this.rooms.requireMember(roomId, userId);
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      "SELECT muted FROM notification_prefs WHERE user_id = ? AND room_id = ?",
      [userId, roomId],
    );
    return { roomId, muted: Number(rows[0]?.muted ?? 0) === 1 };
  }

  /** Sets the webhook; the secret is returned only here (a new one unless given). */
  async setWebhook(
    userId: number,
    input: { url: string; secret?: string | undefined },
  ): Promise<{ url: string; secret: string }> {
    const secret = input.secret ?? randomBytes(24).toString("base64url");
    await this.catalog.query(
      `INSERT INTO notification_webhooks (user_id, url, secret) VALUES (?, ?, ?)
       ON DUPLICATE KEY UPDATE url = VALUES(url), secret = VALUES(secret), updated_at = CURRENT_TIMESTAMP(3)`,
      [userId, input.url, secret],
    );
    return { url: input.url, secret };
  }

  async getWebhook(userId: number): Promise<WebhookInfo | null> {
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      "SELECT url, created_at, updated_at FROM notification_webhooks WHERE user_id = ?",
      [userId],
    );
    const r = rows[0];
    if (!r) return null;
    const [counts] = await this.catalog.query<RowDataPacket[]>(
      "SELECT state, COUNT(*) AS n FROM webhook_deliveries WHERE user_id = ? GROUP BY state",
      [userId],
    );
    const by = new Map(counts.map((c) => [String(c.state), Number(c.n)]));
    return {
      url: String(r.url),
      createdAt: (r.created_at as Date).toISOString(),
      updatedAt: (r.updated_at as Date).toISOString(),
      deliveries: {
        pending: (by.get("pending") ?? 0) + (by.get("sending") ?? 0),
        delivered: by.get("delivered") ?? 0,
        dead: by.get("dead") ?? 0,
      },
    };
  }

  async deleteWebhook(userId: number): Promise<void> {
    await this.catalog.query("DELETE FROM notification_webhooks WHERE user_id = ?", [userId]);
  }

  /** Dead-lettered deliveries (gave up after the last retry), newest first. */
  async deadDeliveries(userId: number, limit = 50): Promise<DeadDelivery[]> {
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      "SELECT * FROM webhook_deliveries WHERE user_id = ? AND state = 'dead' ORDER BY id DESC LIMIT ?",
      [userId, limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      notificationId: Number(r.notification_id),
      attempts: Number(r.attempts),
      lastError: r.last_error === null ? null : String(r.last_error),
      lastStatus: r.last_status === null ? null : Number(r.last_status),
      updatedAt: (r.updated_at as Date).toISOString(),
    }));
  }
}
