// The platform's wire contracts, imported (types only) from the services' sources: the
// socket.io event maps and DTOs. This is the client's one import path for them, so the
// shapes are never copied by hand; the REST types are generated (api/schema.d.ts).
export type {
  Ack,
  AckError,
  ClientToServerEvents,
  HistoryPage,
  MemberDto,
  MessageDto,
  NotificationDto,
  PresenceStatus,
  ReactionCount,
  RoomDto,
  RoomKind,
  ServerToClientEvents,
  UnreadCounter,
} from "../../services/src/realtime/protocol.js";
