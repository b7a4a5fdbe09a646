import type { MemberRole, RoomDto } from "../contracts/protocol.js";
import type { RoomRow } from "../sharding/router.js";

export function roomDto(r: RoomRow, me?: { role: MemberRole; lastReadSeq: number } | null): RoomDto {
  const dto: RoomDto = {
    id: r.id,
    kind: r.kind,
    name: r.name,
    topic: r.topic,
    settings: r.settings,
    lastSeq: r.seq,
    memberCount: r.memberCount,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
  if (me) {
    dto.myRole = me.role;
    dto.lastReadSeq = me.lastReadSeq;
    dto.unread = Math.max(0, r.seq - me.lastReadSeq);
  }
  return dto;
}
