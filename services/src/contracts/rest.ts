// REST response bodies, as zod schemas: the OpenAPI document is generated from them, and
// the compile-time checks at the end keep them equal to the DTO types of protocol.ts that
// sockets carry, so REST and live views cannot drift apart. Imports nothing of the app.
import { z } from "zod";
import type { MemberDto, MessageDto, NotificationDto, RoomDto, UnreadCounter } from "./protocol.js";

export const UserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  createdAt: z.string(),
});
export const SessionSchema = z.object({
  user: UserSchema,
  accessToken: z.string(),
  tokenType: z.literal("Bearer"),
  expiresIn: z.number().int(),
  refreshToken: z.string(),
  refreshExpiresIn: z.number().int(),
});
export const RoomSchema = z.object({
  id: z.number().int(),
  kind: z.enum(["public", "private", "direct"]),
  name: z.string(),
  topic: z.string(),
  settings: z.record(z.string(), z.unknown()),
  lastSeq: z.number().int(),
  memberCount: z.number().int(),
  createdBy: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  myRole: z.enum(["owner", "admin", "member"]).optional(),
  lastReadSeq: z.number().int().optional(),
  unread: z.number().int().optional(),
});
export const MemberSchema = z.object({
  userId: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(["owner", "admin", "member"]),
  joinedAt: z.string(),
});
export const ReactionSchema = z.object({ emoji: z.string(), count: z.number().int() });
export const MessageSchema = z.object({
  id: z.string(),
  roomId: z.number().int(),
  seq: z.number().int(),
  senderId: z.number().int(),
  body: z.string(),
  parentSeq: z.number().int().nullable(),
  mentions: z.array(z.object({ userId: z.number().int(), username: z.string() })),
  clientMsgId: z.string().nullable(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  reactions: z.array(ReactionSchema),
});
export const HistorySchema = z.object({
  messages: z.array(MessageSchema),
  lastSeq: z.number().int(),
  hasMore: z.boolean(),
});

export const RoomPageSchema = z.object({
  rooms: z.array(RoomSchema),
  nextCursor: z.number().int().nullable(),
  unavailableRoomIds: z
    .array(z.number().int())
    .describe("Rooms of this page whose shard did not answer; the page lists what was reachable"),
});

export const Highlight = z.object({ start: z.number().int(), length: z.number().int() });
export const SearchHitSchema = z.object({
  id: z.string(),
  roomId: z.number().int(),
  seq: z.number().int(),
  senderId: z.number().int(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  fragment: z.string().describe("Text around the first match ('…' where cut)"),
  highlights: z.array(Highlight).describe("Matched ranges inside fragment (UTF-16 offsets)"),
});

export const NotificationSchema = z.object({
  id: z.number().int(),
  kind: z.enum(["mention", "room_mention", "dm"]),
  roomId: z.number().int(),
  seq: z.number().int(),
  messageId: z.string(),
  actorId: z.number().int(),
  snippet: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export const CounterSchema = z.object({
  roomId: z.number().int(),
  unread: z.number().int(),
  mentions: z.number().int(),
  lastSeq: z.number().int(),
  lastReadSeq: z.number().int(),
});

// ---- REST and socket DTOs are one shape (a mismatch fails to compile) ----
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const dtoChecks: {
  message: Same<z.output<typeof MessageSchema>, MessageDto>;
  room: Same<z.output<typeof RoomSchema>, RoomDto>;
  member: Same<z.output<typeof MemberSchema>, MemberDto>;
  notification: Same<z.output<typeof NotificationSchema>, NotificationDto>;
  counter: Same<z.output<typeof CounterSchema>, UnreadCounter>;
} = { message: true, room: true, member: true, notification: true, counter: true };
