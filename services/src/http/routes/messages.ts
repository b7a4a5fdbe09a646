import { z } from "zod";
import { HistorySchema, MessageSchema, ReactionSchema } from "../../contracts/rest.js";
import { type Api, Reply } from "../api.js";
import type { HttpDeps } from "../deps.js";
import {
  clientMsgIdSchema,
  emojiSchema,
  limitString,
  messageBodySchema,
  messageParams,
  ROOM_ERRORS,
  roomParams,
  seqNumber,
  seqString,
} from "../schemas.js";

export function messageRoutes(api: Api, d: HttpDeps): void {
  api.add({
    method: "post",
    path: "/v1/rooms/:roomId/messages",
    summary: "Send a message; a repeated clientMsgId returns the original (200)",
    tag: "messages",
    auth: "user",
    params: roomParams,
    body: z.strictObject({
      body: messageBodySchema(d.config.limits.messageLength),
      clientMsgId: clientMsgIdSchema.optional(),
      parentSeq: seqNumber.min(1).optional(),
    }),
    response: {
      status: 201,
      description: "The stored message",
      schema: MessageSchema,
      also: [{ status: 200, description: "A retry of a stored clientMsgId: the original message" }],
    },
    // CHAT_OVERLOADED: the shard's send queue is full (503 + Retry-After); nothing was stored.
    // CHAT_RATE_LIMITED: the user's send limit (429 + Retry-After; messages/send-limit.ts).
    errors: [...ROOM_ERRORS, "CHAT_MESSAGE_NOT_FOUND", "CHAT_OVERLOADED", "CHAT_RATE_LIMITED"],
    handler: async ({ user, params, body }) => {
      const r = await d.messages.send(user.userId, { roomId: params.roomId, ...body }, "http");
      return new Reply(r.duplicate ? 200 : 201, r.message);
    },
  });

  api.add({
    method: "get",
    path: "/v1/rooms/:roomId/messages",
    summary: "History by seq cursor (before/after/limit), oldest first; parentSeq lists a thread's replies",
    tag: "messages",
    auth: "user",
    params: roomParams,
    query: z.object({
      before: seqString.optional(),
      after: seqString.optional(),
      limit: limitString(200, 50),
      parentSeq: seqString.optional(),
    }),
    response: { status: 200, description: "A page of messages", schema: HistorySchema },
    errors: [...ROOM_ERRORS],
    handler: ({ user, params, query }) => d.messages.history(user.userId, params.roomId, query),
  });

  api.add({
    method: "get",
    path: "/v1/rooms/:roomId/messages/:seq",
    summary: "One message",
    tag: "messages",
    auth: "user",
    params: messageParams,
    response: { status: 200, description: "The message", schema: MessageSchema },
    errors: [...ROOM_ERRORS, "CHAT_MESSAGE_NOT_FOUND"],
    handler: ({ user, params }) => d.messages.get(user.userId, params.roomId, params.seq),
  });

  api.add({
    method: "patch",
    path: "/v1/rooms/:roomId/messages/:seq",
    summary: "Edit a message (author)",
    tag: "messages",
    auth: "user",
    params: messageParams,
    body: z.strictObject({ body: messageBodySchema(d.config.limits.messageLength) }),
    response: { status: 200, description: "The edited message", schema: MessageSchema },
    errors: [...ROOM_ERRORS, "CHAT_MESSAGE_NOT_FOUND", "CHAT_MESSAGE_DELETED", "CHAT_FORBIDDEN"],
    handler: ({ user, params, body }) => d.messages.edit(user.userId, params.roomId, params.seq, body.body),
  });

  api.add({
    method: "delete",
    path: "/v1/rooms/:roomId/messages/:seq",
    summary: "Delete a message (author, or room owner/admin); leaves a tombstone",
    tag: "messages",
    auth: "user",
    params: messageParams,
    response: { status: 204, description: "Deleted" },
    errors: [...ROOM_ERRORS, "CHAT_MESSAGE_NOT_FOUND", "CHAT_FORBIDDEN"],
    handler: async ({ user, params }) => {
      await d.messages.delete(user.userId, params.roomId, params.seq);
      return undefined;
    },
  });

  const reactionParams = z.object({ ...messageParams.shape, emoji: emojiSchema });
  const reactionsOut = z.object({ reactions: z.array(ReactionSchema) });
  api.add({
    method: "put",
    path: "/v1/rooms/:roomId/messages/:seq/reactions/:emoji",
    summary: "Add your reaction",
    tag: "messages",
    auth: "user",
    params: reactionParams,
    response: { status: 200, description: "Reaction counts of the message", schema: reactionsOut },
    errors: [...ROOM_ERRORS, "CHAT_MESSAGE_NOT_FOUND", "CHAT_MESSAGE_DELETED"],
    handler: async ({ user, params }) => ({
      reactions: await d.messages.react(user.userId, params.roomId, params.seq, params.emoji, true),
    }),
  });
  api.add({
    method: "delete",
    path: "/v1/rooms/:roomId/messages/:seq/reactions/:emoji",
    summary: "Remove your reaction",
    tag: "messages",
    auth: "user",
    params: reactionParams,
    response: { status: 200, description: "Reaction counts of the message", schema: reactionsOut },
    errors: [...ROOM_ERRORS, "CHAT_MESSAGE_NOT_FOUND"],
    handler: async ({ user, params }) => ({
      reactions: await d.messages.react(user.userId, params.roomId, params.seq, params.emoji, false),
    }),
  });

  api.add({
    method: "put",
    path: "/v1/rooms/:roomId/read",
    summary: "Move your read marker forward",
    tag: "read state",
    auth: "user",
    params: roomParams,
    body: z.strictObject({ seq: seqNumber }),
    response: {
      status: 200,
      description: "Your marker and unread count",
      schema: z.object({ lastReadSeq: z.number().int(), unread: z.number().int() }),
    },
    errors: [...ROOM_ERRORS],
    handler: ({ user, params, body }) => d.readState.mark(user.userId, params.roomId, body.seq),
  });
}
