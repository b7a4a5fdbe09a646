// The realtime wire contract, shared with clients: import these types into a
// socket.io-client to get typed emits and listeners. Types only — no server code.
//
//   import type { ClientToServerEvents, ServerToClientEvents } from "@chatcluster/services/protocol";
//   const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, { auth: { token } });

export type RoomKind = "public" | "private" | "direct";
export type MemberRole = "owner" | "admin" | "member";
export type PresenceStatus = "online" | "away" | "offline";

export interface Mention {
  userId: number;
  username: string;
}

export interface ReactionCount {
  emoji: string;
  count: number;
}

export interface MessageDto {
  /** Globally unique: "<roomId>:<seq>". Stable across room moves. */
  id: string;
  roomId: number;
  seq: number;
  senderId: number;
  body: string;
  parentSeq: number | null;
  mentions: Mention[];
  clientMsgId: string | null;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  reactions: ReactionCount[];
}

export interface RoomDto {
  id: number;
  kind: RoomKind;
  name: string;
  topic: string;
  settings: Record<string, unknown>;
  lastSeq: number;
  memberCount: number;
  createdBy: number;
  createdAt: string;
  updatedAt: string;
  /** Present when the caller is a member. */
  myRole?: MemberRole;
  lastReadSeq?: number;
  unread?: number;
}

export interface MemberDto {
  userId: number;
  username: string;
  displayName: string;
  role: MemberRole;
  joinedAt: string;
}

export interface AckError {
  ok: false;
  /** retryAfterSeconds: set on retryable refusals (CHAT_OVERLOADED), like HTTP's Retry-After. */
  error: { code: string; status: number; detail: string; retryAfterSeconds?: number };
}
export type Ack<T> = ({ ok: true } & T) | AckError;
export type AckFn<T> = (res: Ack<T>) => void;

export type NotificationKind = "mention" | "room_mention" | "dm";

/** A notification (event pipeline): an @mention, an @room or a direct message. */
export interface NotificationDto {
  id: number;
  kind: NotificationKind;
  roomId: number;
  seq: number;
  messageId: string;
  actorId: number;
  snippet: string;
  createdAt: string;
  readAt: string | null;
}

/** Unread counters of one room for one user (unread = lastSeq − lastReadSeq). */
export interface UnreadCounter {
  roomId: number;
  unread: number;
  mentions: number;
  lastSeq: number;
  lastReadSeq: number;
}

export interface HistoryPage {
  messages: MessageDto[];
  lastSeq: number;
  hasMore: boolean;
}

export interface ServerToClientEvents {
  "message:created": (m: MessageDto) => void;
  "message:edited": (m: MessageDto) => void;
  "message:deleted": (e: { roomId: number; seq: number; id: string; deletedAt: string }) => void;
  "reaction:updated": (e: {
    roomId: number;
    seq: number;
    emoji: string;
    count: number;
    userId: number;
    added: boolean;
  }) => void;
  "read:updated": (e: { roomId: number; userId: number; lastReadSeq: number }) => void;
  typing: (e: { roomId: number; userId: number; username: string }) => void;
  presence: (e: { userId: number; status: PresenceStatus }) => void;
  "room:updated": (r: RoomDto) => void;
  "room:deleted": (e: { roomId: number }) => void;
  "member:joined": (e: { roomId: number; userId: number; role: MemberRole }) => void;
  "member:left": (e: { roomId: number; userId: number; reason: "left" | "kicked" }) => void;
  /** To a user: you were added to a room (invite, DM). Your sockets were subscribed to it. */
  "room:added": (e: { roomId: number }) => void;
  /** To a user: you were removed from a room. Your sockets were unsubscribed from it. */
  "room:removed": (e: { roomId: number; reason: "left" | "kicked" | "deleted" }) => void;
  /** To a user: a new notification (only while not looking at that room, never for a muted room). */
  "notification:new": (n: NotificationDto) => void;
  /** To a user: changed unread/mention counters (coalesced). */
  "notification:unread": (e: { rooms: UnreadCounter[] }) => void;
}

export interface ClientToServerEvents {
  /** Subscribes this socket to a room's events; members only (the REST join makes you a member). */
  "room:subscribe": (p: { roomId: number }, ack: AckFn<{ room: RoomDto }>) => void;
  "room:unsubscribe": (p: { roomId: number }, ack: AckFn<Record<never, never>>) => void;
  "message:send": (
    p: { roomId: number; body: string; clientMsgId?: string; parentSeq?: number },
    ack: AckFn<{ id: string; seq: number; duplicate: boolean; message: MessageDto }>,
  ) => void;
  "message:edit": (
    p: { roomId: number; seq: number; body: string },
    ack: AckFn<{ message: MessageDto }>,
  ) => void;
  "message:delete": (p: { roomId: number; seq: number }, ack: AckFn<Record<never, never>>) => void;
  "reaction:add": (
    p: { roomId: number; seq: number; emoji: string },
    ack: AckFn<{ reactions: ReactionCount[] }>,
  ) => void;
  "reaction:remove": (
    p: { roomId: number; seq: number; emoji: string },
    ack: AckFn<{ reactions: ReactionCount[] }>,
  ) => void;
  "read:mark": (
    p: { roomId: number; seq: number },
    ack: AckFn<{ lastReadSeq: number; unread: number }>,
  ) => void;
  typing: (p: { roomId: number }, ack?: AckFn<Record<never, never>>) => void;
  /** Everything after afterSeq, ascending; call on reconnect and whenever a seq gap is seen. */
  sync: (p: { roomId: number; afterSeq: number; limit?: number }, ack: AckFn<HistoryPage>) => void;
  "presence:set": (p: { status: "online" | "away" }, ack: AckFn<Record<never, never>>) => void;
  "presence:subscribe": (
    p: { userIds: number[] },
    ack: AckFn<{ statuses: Record<string, PresenceStatus> }>,
  ) => void;
  /**
   * The room this socket shows right now, or null (blurred, idle, another view). Members
   * looking at a room get no notifications for it.
   */
  "room:focus": (p: { roomId: number | null }, ack?: AckFn<Record<never, never>>) => void;
}
