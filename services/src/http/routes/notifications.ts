// REST routes of notifications, unread counters, room mutes and the user's webhook
// (served by the gateway when the event pipeline's query services are present).
import { z } from "zod";
import { CounterSchema, NotificationSchema } from "../../contracts/rest.js";
import type { NotificationService } from "../../notifications/service.js";
import type { Api } from "../api.js";
import { idNumber, idString, limitString, ROOM_ERRORS, roomParams } from "../schemas.js";

const webhookUrl = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), "must be an http:// or https:// URL");

export function notificationRoutes(api: Api, notifications: NotificationService): void {
  api.add({
    method: "get",
    path: "/v1/notifications",
    summary: "My notifications, newest first (cursor = the last id of the previous page)",
    tag: "notifications",
    auth: "user",
    query: z.object({
      cursor: idString.optional(),
      limit: limitString(100, 50),
      unread: z.enum(["true", "false"]).optional(),
    }),
    response: {
      status: 200,
      description: "A page of notifications",
      schema: z.object({
        notifications: z.array(NotificationSchema),
        nextCursor: z.number().int().nullable(),
      }),
    },
    handler: ({ user, query }) =>
      notifications.list(user.userId, {
        before: query.cursor,
        limit: query.limit,
        unreadOnly: query.unread === "true",
      }),
  });

  api.add({
    method: "post",
    path: "/v1/notifications/read",
    summary: "Mark notifications read: the given ids, or all",
    tag: "notifications",
    auth: "user",
    body: z
      .strictObject({ ids: z.array(idNumber).min(1).max(500).optional(), all: z.literal(true).optional() })
      .refine((b) => (b.ids === undefined) !== (b.all === undefined), "give either ids or all: true"),
    response: {
      status: 200,
      description: "How many changed",
      schema: z.object({ updated: z.number().int() }),
    },
    handler: async ({ user, body }) => ({ updated: await notifications.markRead(user.userId, body) }),
  });

  api.add({
    method: "get",
    path: "/v1/notifications/unread",
    summary: "Unread and mention counters of my rooms that have any",
    tag: "notifications",
    auth: "user",
    response: {
      status: 200,
      description: "Counters",
      schema: z.object({ rooms: z.array(CounterSchema) }),
    },
    handler: async ({ user }) => ({ rooms: await notifications.unread(user.userId) }),
  });

  api.add({
    method: "get",
    path: "/v1/rooms/:roomId/notifications",
    summary: "My notification setting for a room",
    tag: "notifications",
    auth: "user",
    params: roomParams,
    response: {
      status: 200,
      description: "The setting",
      schema: z.object({ roomId: z.number().int(), muted: z.boolean() }),
    },
    errors: [...ROOM_ERRORS],
    handler: ({ user, params }) => notifications.getMuted(user.userId, params.roomId),
  });

  api.add({
    method: "put",
    path: "/v1/rooms/:roomId/notifications",
    summary: "Mute or unmute a room (a muted room never notifies; unread still counts)",
    tag: "notifications",
    auth: "user",
    params: roomParams,
    body: z.strictObject({ muted: z.boolean() }),
    response: {
      status: 200,
      description: "The setting",
      schema: z.object({ roomId: z.number().int(), muted: z.boolean() }),
    },
    errors: [...ROOM_ERRORS],
    handler: ({ user, params, body }) => notifications.setMuted(user.userId, params.roomId, body.muted),
  });

  api.add({
    method: "get",
    path: "/v1/me/webhook",
    summary: "My notification webhook (without its secret) and delivery counts",
    tag: "notifications",
    auth: "user",
    response: {
      status: 200,
      description: "The webhook, or null",
      schema: z
        .object({
          url: z.string(),
          createdAt: z.string(),
          updatedAt: z.string(),
          deliveries: z.object({ pending: z.number(), delivered: z.number(), dead: z.number() }),
        })
        .nullable(),
    },
    handler: async ({ user }) => (await notifications.getWebhook(user.userId)) ?? null,
  });

  api.add({
    method: "put",
    path: "/v1/me/webhook",
    summary:
      "Set my notification webhook. Each notification is POSTed with X-Chat-Signature: sha256=HMAC(secret, timestamp.body)",
    tag: "notifications",
    auth: "user",
    body: z.strictObject({
      url: webhookUrl,
      secret: z.string().min(16).max(128).optional().describe("Generated when omitted"),
    }),
    response: {
      status: 200,
      description: "The webhook and its secret (shown only here)",
      schema: z.object({ url: z.string(), secret: z.string() }),
    },
    handler: ({ user, body }) => notifications.setWebhook(user.userId, body),
  });

  api.add({
    method: "delete",
    path: "/v1/me/webhook",
    summary: "Remove my notification webhook",
    tag: "notifications",
    auth: "user",
    response: { status: 204, description: "Removed" },
    handler: async ({ user }) => {
      await notifications.deleteWebhook(user.userId);
    },
  });

  api.add({
    method: "get",
    path: "/v1/me/webhook/dead-letters",
    summary: "Webhook deliveries that failed every retry, newest first",
    tag: "notifications",
    auth: "user",
    response: {
      status: 200,
      description: "Dead-lettered deliveries",
      schema: z.object({
        deliveries: z.array(
          z.object({
            id: z.number().int(),
            notificationId: z.number().int(),
            attempts: z.number().int(),
            lastError: z.string().nullable(),
            lastStatus: z.number().int().nullable(),
            updatedAt: z.string(),
          }),
        ),
      }),
    },
    handler: async ({ user }) => ({ deliveries: await notifications.deadDeliveries(user.userId) }),
  });
}
