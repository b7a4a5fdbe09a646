// The platform's wire contracts, imported (types only) through the one path the services
// export for clients (@chatcluster/services/protocol → services/src/contracts/protocol.ts,
// declarations built by `tsc -b`): the socket.io event maps and DTOs, never copied by hand.
// The REST types are generated from the OpenAPI document (api/schema.d.ts).
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
} from "@chatcluster/services/protocol";
