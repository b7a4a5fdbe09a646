// Who may do what in a room. Pure, so the whole matrix is unit-tested.
import type { MemberRole, RoomKind } from "../contracts/protocol.js";

const RANK: Record<MemberRole, number> = { member: 1, admin: 2, owner: 3 };

export type RoomAction = "update" | "delete" | "invite" | "kick" | "set-role" | "delete-any-message";

export function can(role: MemberRole | null, action: RoomAction, kind: RoomKind): boolean {
  if (role === null) return false;
  if (kind === "direct") return false; // direct rooms have a fixed pair of equal members
  switch (action) {
    case "update":
    case "kick":
    case "delete-any-message":
      return RANK[role] >= RANK.admin;
    case "invite":
      // Anyone in a public room could join anyway; private rooms are curated.
      return kind === "public" || RANK[role] >= RANK.admin;
    case "delete":
    case "set-role":
      return role === "owner";
  }
}

/** Kicks go strictly down the ladder: admins remove members, owners remove admins and members. */
export function canKick(actor: MemberRole | null, target: MemberRole): boolean {
  return actor !== null && RANK[actor] >= RANK.admin && RANK[actor] > RANK[target];
}

export const isMemberRole = (s: string): s is MemberRole => s === "owner" || s === "admin" || s === "member";
