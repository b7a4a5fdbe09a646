// Rooms: lifecycle, membership and roles. The room row and its members live on the
// room's shard (the truth); the catalog's user_rooms index only speeds up "my rooms"
// and is re-checked against the shard whenever it is read.
import type { AccountService } from "../accounts/service.js";
import type { MemberDto, MemberRole, RoomDto, RoomKind } from "../contracts/protocol.js";
import { writeOutbox } from "../db/outbox.js";
import type { Pool, PoolConnection, RowDataPacket } from "../db/pool.js";
import { isDuplicateKey, withTransaction } from "../db/pool.js";
import { AppError } from "../errors.js";
import type { EventSink } from "../fanout.js";
import { checkRoomRow, mapRoom, ROOM_COLUMNS, type RoomRouter, type RoomRow } from "../sharding/router.js";
import { roomDto } from "./dto.js";
import { RoomListing, type RoomPage } from "./listing.js";
import { can, canKick, isMemberRole } from "./permissions.js";

export interface MemberContext {
  room: RoomRow;
  role: MemberRole;
  shardId: number;
  pool: Pool;
}

export interface RoomPatch {
  name?: string | undefined;
  topic?: string | undefined;
  settings?: Record<string, unknown> | undefined;
}

async function memberRole(
  q: Pick<Pool, "query">,
  roomId: number,
  userId: number,
): Promise<MemberRole | null> {
  const [rows] = await q.query<RowDataPacket[]>(
    "SELECT role FROM room_members WHERE room_id = ? AND user_id = ?",
    [roomId, userId],
  );
  const role = rows[0]?.role;
  return typeof role === "string" && isMemberRole(role) ? role : null;
}

export class RoomService {
  readonly #listing: RoomListing;

  constructor(
    private readonly router: RoomRouter,
    private readonly catalog: Pool,
    private readonly accounts: AccountService,
    private readonly sink: EventSink,
    private readonly memberCap: number,
  ) {
    this.#listing = new RoomListing(router, catalog);
  }

  #usableShards(): Set<number> {
    return new Set(this.router.shards.all().map((s) => s.id));
  }

  /** Loads the room and the caller's role. Non-members of private/direct rooms get 404 so existence does not leak. */
  async requireMember(roomId: number, userId: number): Promise<MemberContext> {
    return this.router.read(roomId, async (pool, route) => {
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT ${ROOM_COLUMNS}, r.deleted_at, m.role AS my_role FROM rooms r
           LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = ?
          WHERE r.id = ?`,
        [userId, roomId],
      );
      const r = checkRoomRow(rows[0], route);
      const room = mapRoom(r);
      const role = typeof r.my_role === "string" && isMemberRole(r.my_role) ? r.my_role : null;
      if (!role) {
        if (room.kind === "public") throw new AppError("CHAT_NOT_A_MEMBER");
        throw new AppError("CHAT_ROOM_NOT_FOUND");
      }
      return { room, role, shardId: route.shardId, pool };
    });
  }

  async create(
    userId: number,
    input: {
      kind: "public" | "private";
      name: string;
      topic?: string | undefined;
      settings?: Record<string, unknown> | undefined;
    },
  ): Promise<RoomDto> {
    const route = await this.router.directory.allocate(input.kind, this.#usableShards());
    try {
      await this.#insertRoom(route.shardId, {
        id: route.roomId,
        kind: input.kind,
        name: input.name,
        topic: input.topic ?? "",
        settings: input.settings ?? {},
        createdBy: userId,
        members: [{ userId, role: "owner" }],
      });
    } catch (err) {
      await this.router.directory.setState(route.roomId, "deleted").catch(() => {});
      throw err;
    }
    await this.catalog.query("INSERT IGNORE INTO user_rooms (user_id, room_id) VALUES (?, ?)", [
      userId,
      route.roomId,
    ]);
    await this.router.directory.setState(route.roomId, "active");
    this.sink.subscribeUser(userId, route.roomId);
    return this.get(userId, route.roomId);
  }

  /** The one direct room of a pair, created on first use. Returns created=false when it existed. */
  async openDirect(userId: number, otherId: number): Promise<{ room: RoomDto; created: boolean }> {
    if (userId === otherId)
      throw new AppError("CHAT_VALIDATION_FAILED", "cannot open a direct room with yourself");
    const other = await this.accounts.getUser(otherId);
    const [lo, hi] = userId < otherId ? [userId, otherId] : [otherId, userId];
    const existing = await this.#directRoomId(lo, hi);
    if (existing !== null) return { room: await this.get(userId, existing), created: false };

    const route = await this.router.directory.allocate("direct", this.#usableShards());
    try {
      await this.catalog.query("INSERT INTO direct_rooms (user_lo, user_hi, room_id) VALUES (?, ?, ?)", [
        lo,
        hi,
        route.roomId,
      ]);
    } catch (err) {
      await this.router.directory.setState(route.roomId, "deleted").catch(() => {});
      if (!isDuplicateKey(err)) throw err;
      const winner = await this.#directRoomId(lo, hi);
      if (winner === null) throw err;
      return { room: await this.get(userId, winner), created: false };
    }
    const me = await this.accounts.getUser(userId);
    await this.#insertRoom(route.shardId, {
      id: route.roomId,
      kind: "direct",
      name: `${me.username}, ${other.username}`,
      topic: "",
      settings: {},
      createdBy: userId,
      members: [
        { userId: lo, role: "member" },
        { userId: hi, role: "member" },
      ],
    });
    await this.catalog.query("INSERT IGNORE INTO user_rooms (user_id, room_id) VALUES (?, ?), (?, ?)", [
      lo,
      route.roomId,
      hi,
      route.roomId,
    ]);
    await this.router.directory.setState(route.roomId, "active");
    for (const u of [lo, hi]) this.sink.subscribeUser(u, route.roomId);
    this.sink.toUser(otherId, "room:added", { roomId: route.roomId });
    return { room: await this.get(userId, route.roomId), created: true };
  }

  async #directRoomId(lo: number, hi: number): Promise<number | null> {
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      "SELECT room_id FROM direct_rooms WHERE user_lo = ? AND user_hi = ?",
      [lo, hi],
    );
    return rows[0] ? Number(rows[0].room_id) : null;
  }

  async #insertRoom(
    shardId: number,
    r: {
      id: number;
      kind: RoomKind;
      name: string;
      topic: string;
      settings: Record<string, unknown>;
      createdBy: number;
      members: { userId: number; role: MemberRole }[];
    },
  ): Promise<void> {
    await withTransaction(this.router.shards.pool(shardId), async (conn) => {
      await conn.query(
        `INSERT INTO rooms (id, kind, name, topic, settings, seq, epoch, member_count, created_by)
         VALUES (?, ?, ?, ?, ?, 0, 1, ?, ?)`,
        [r.id, r.kind, r.name, r.topic, JSON.stringify(r.settings), r.members.length, r.createdBy],
      );
      for (const m of r.members) {
        await conn.query("INSERT INTO room_members (room_id, user_id, role) VALUES (?, ?, ?)", [
          r.id,
          m.userId,
          m.role,
        ]);
      }
      await writeOutbox(conn, r.id, "room.created", { roomId: r.id, kind: r.kind, createdBy: r.createdBy });
    });
  }

  /** Room details. Public rooms are visible to anyone signed in; others only to members. */
  async get(userId: number, roomId: number): Promise<RoomDto> {
    return this.router.read(roomId, async (pool, route) => {
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT ${ROOM_COLUMNS}, r.deleted_at, m.role AS my_role, COALESCE(rm.last_read_seq, 0) AS last_read_seq
           FROM rooms r
           LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = ?
           LEFT JOIN read_markers rm ON rm.room_id = r.id AND rm.user_id = ?
          WHERE r.id = ?`,
        [userId, userId, roomId],
      );
      const r = checkRoomRow(rows[0], route);
      const room = mapRoom(r);
      const role = typeof r.my_role === "string" && isMemberRole(r.my_role) ? r.my_role : null;
      if (!role && room.kind !== "public") throw new AppError("CHAT_ROOM_NOT_FOUND");
      return roomDto(room, role ? { role, lastReadSeq: Number(r.last_read_seq) } : null);
    });
  }

  async update(userId: number, roomId: number, patch: RoomPatch): Promise<RoomDto> {
    await this.router.write(roomId, async (conn, room) => {
      const role = await this.#roleOrHide(conn, room, userId);
      if (!can(role, "update", room.kind))
        throw new AppError("CHAT_FORBIDDEN", "only owners and admins can edit the room");
      const sets: string[] = [];
      const args: unknown[] = [];
      if (patch.name !== undefined) {
        sets.push("name = ?");
        args.push(patch.name);
      }
      if (patch.topic !== undefined) {
        sets.push("topic = ?");
        args.push(patch.topic);
      }
      if (patch.settings !== undefined) {
        sets.push("settings = ?");
        args.push(JSON.stringify({ ...room.settings, ...patch.settings }));
      }
      if (sets.length === 0) return;
      await conn.query(
        `UPDATE rooms SET ${sets.join(", ")}, updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?`,
        [...args, roomId],
      );
      await writeOutbox(conn, roomId, "room.updated", { roomId, ...patch, by: userId });
    });
    const dto = await this.get(userId, roomId);
    const { myRole: _r, lastReadSeq: _l, unread: _u, ...shared } = dto;
    this.sink.toRoom(roomId, "room:updated", shared);
    return dto;
  }

  async delete(userId: number, roomId: number): Promise<void> {
    await this.router.write(roomId, async (conn, room) => {
      const role = await this.#roleOrHide(conn, room, userId);
      if (room.kind === "direct")
        throw new AppError("CHAT_ROOM_NOT_JOINABLE", "direct rooms cannot be deleted");
      if (!can(role, "delete", room.kind))
        throw new AppError("CHAT_FORBIDDEN", "only the owner can delete the room");
      await conn.query("UPDATE rooms SET deleted_at = CURRENT_TIMESTAMP(3) WHERE id = ?", [roomId]);
      await writeOutbox(conn, roomId, "room.deleted", { roomId, by: userId });
    });
    await this.router.directory.setState(roomId, "deleted");
    await this.router.directory.publishEpochChange(roomId, 0);
    await this.catalog.query("DELETE FROM user_rooms WHERE room_id = ?", [roomId]);
    this.sink.toRoom(roomId, "room:deleted", { roomId });
    this.sink.unsubscribeAll(roomId);
  }

  /** Joins a public room; idempotent for existing members. */
  async join(userId: number, roomId: number): Promise<RoomDto> {
    const added = await this.router.write(roomId, async (conn, room) => {
      const role = await memberRole(conn, roomId, userId);
      if (role) return false;
      if (room.kind !== "public") throw new AppError("CHAT_ROOM_NOT_FOUND");
      await this.#addMember(conn, room, userId, "member");
      return true;
    });
    await this.catalog.query("INSERT IGNORE INTO user_rooms (user_id, room_id) VALUES (?, ?)", [
      userId,
      roomId,
    ]);
    if (added) {
      this.sink.toRoom(roomId, "member:joined", { roomId, userId, role: "member" });
      this.sink.subscribeUser(userId, roomId);
    }
    return this.get(userId, roomId);
  }

  async invite(actorId: number, roomId: number, targetId: number): Promise<MemberDto> {
    const target = await this.accounts.getUser(targetId);
    const added = await this.router.write(roomId, async (conn, room) => {
      const role = await this.#roleOrHide(conn, room, actorId);
      if (room.kind === "direct")
        throw new AppError("CHAT_ROOM_NOT_JOINABLE", "direct rooms have a fixed pair");
      if (!can(role, "invite", room.kind))
        throw new AppError("CHAT_FORBIDDEN", "only owners and admins can invite");
      if (await memberRole(conn, roomId, targetId)) return false;
      await this.#addMember(conn, room, targetId, "member");
      return true;
    });
    await this.catalog.query("INSERT IGNORE INTO user_rooms (user_id, room_id) VALUES (?, ?)", [
      targetId,
      roomId,
    ]);
    if (added) {
      this.sink.toRoom(roomId, "member:joined", { roomId, userId: targetId, role: "member" });
      this.sink.subscribeUser(targetId, roomId);
      this.sink.toUser(targetId, "room:added", { roomId });
    }
    return this.#member(roomId, target.id);
  }

  async #addMember(conn: PoolConnection, room: RoomRow, userId: number, role: MemberRole): Promise<void> {
    if (room.memberCount >= this.memberCap) throw new AppError("CHAT_ROOM_FULL");
    await conn.query("INSERT INTO room_members (room_id, user_id, role) VALUES (?, ?, ?)", [
      room.id,
      userId,
      role,
    ]);
    await conn.query("UPDATE rooms SET member_count = member_count + 1 WHERE id = ?", [room.id]);
    await writeOutbox(conn, room.id, "member.joined", { roomId: room.id, userId, role });
  }

  async kick(actorId: number, roomId: number, targetId: number): Promise<void> {
    await this.router.write(roomId, async (conn, room) => {
      const role = await this.#roleOrHide(conn, room, actorId);
      if (room.kind === "direct")
        throw new AppError("CHAT_ROOM_NOT_JOINABLE", "direct rooms have a fixed pair");
      const targetRole = await memberRole(conn, roomId, targetId);
      if (!targetRole) throw new AppError("CHAT_USER_NOT_FOUND", "that user is not a member of this room");
      if (actorId === targetId) throw new AppError("CHAT_VALIDATION_FAILED", "use leave to remove yourself");
      if (!canKick(role, targetRole)) throw new AppError("CHAT_FORBIDDEN", "you cannot remove this member");
      await this.#removeMember(conn, roomId, targetId, "kicked", actorId);
    });
    await this.#afterRemoval(roomId, targetId, "kicked");
  }

  async leave(userId: number, roomId: number): Promise<void> {
    await this.router.write(roomId, async (conn, room) => {
      const role = await this.#roleOrHide(conn, room, userId);
      if (room.kind === "direct") throw new AppError("CHAT_ROOM_NOT_JOINABLE", "direct rooms cannot be left");
      if (role === "owner") throw new AppError("CHAT_OWNER_CANNOT_LEAVE");
      await this.#removeMember(conn, roomId, userId, "left", userId);
    });
    await this.#afterRemoval(roomId, userId, "left");
  }

  async #removeMember(
    conn: PoolConnection,
    roomId: number,
    userId: number,
    reason: "left" | "kicked",
    by: number,
  ): Promise<void> {
    await conn.query("DELETE FROM room_members WHERE room_id = ? AND user_id = ?", [roomId, userId]);
    await conn.query("UPDATE rooms SET member_count = member_count - 1 WHERE id = ? AND member_count > 0", [
      roomId,
    ]);
    await writeOutbox(conn, roomId, "member.left", { roomId, userId, reason, by });
  }

  async #afterRemoval(roomId: number, userId: number, reason: "left" | "kicked"): Promise<void> {
    await this.catalog.query("DELETE FROM user_rooms WHERE user_id = ? AND room_id = ?", [userId, roomId]);
    this.sink.unsubscribeUser(userId, roomId);
    this.sink.toRoom(roomId, "member:left", { roomId, userId, reason });
    this.sink.toUser(userId, "room:removed", { roomId, reason });
  }

  /** Changes a member's role; giving "owner" transfers ownership (the old owner becomes admin). */
  async setRole(actorId: number, roomId: number, targetId: number, newRole: MemberRole): Promise<MemberDto> {
    await this.router.write(roomId, async (conn, room) => {
      const role = await this.#roleOrHide(conn, room, actorId);
      if (!can(role, "set-role", room.kind))
        throw new AppError("CHAT_FORBIDDEN", "only the owner can change roles");
      const targetRole = await memberRole(conn, roomId, targetId);
      if (!targetRole) throw new AppError("CHAT_USER_NOT_FOUND", "that user is not a member of this room");
      if (targetId === actorId)
        throw new AppError("CHAT_VALIDATION_FAILED", "transfer ownership to someone else");
      await conn.query("UPDATE room_members SET role = ? WHERE room_id = ? AND user_id = ?", [
        newRole,
        roomId,
        targetId,
      ]);
      if (newRole === "owner") {
        await conn.query("UPDATE room_members SET role = 'admin' WHERE room_id = ? AND user_id = ?", [
          roomId,
          actorId,
        ]);
      }
      await writeOutbox(conn, roomId, "member.role", {
        roomId,
        userId: targetId,
        role: newRole,
        by: actorId,
      });
    });
    return this.#member(roomId, targetId);
  }

  async listMembers(
    userId: number,
    roomId: number,
    page: { after?: number | undefined; limit: number },
  ): Promise<{ members: MemberDto[]; nextCursor: number | null }> {
    const ctx = await this.requireMember(roomId, userId);
    const [rows] = await ctx.pool.query<RowDataPacket[]>(
      `SELECT user_id, role, joined_at FROM room_members WHERE room_id = ? AND user_id > ?
        ORDER BY user_id LIMIT ?`,
      [roomId, page.after ?? 0, page.limit + 1],
    );
    const more = rows.length > page.limit;
    const slice = rows.slice(0, page.limit);
    const users = await this.accounts.getUsers(slice.map((r) => Number(r.user_id)));
    const members = slice.map((r) => {
      const u = users.get(Number(r.user_id));
      return {
        userId: Number(r.user_id),
        username: u?.username ?? "",
        displayName: u?.displayName ?? "",
        role: r.role as MemberRole,
        joinedAt: (r.joined_at as Date).toISOString(),
      };
    });
    return { members, nextCursor: more ? (members.at(-1)?.userId ?? null) : null };
  }

  async #member(roomId: number, userId: number): Promise<MemberDto> {
    return this.router.read(roomId, async (pool) => {
      const [rows] = await pool.query<RowDataPacket[]>(
        "SELECT user_id, role, joined_at FROM room_members WHERE room_id = ? AND user_id = ?",
        [roomId, userId],
      );
      const r = rows[0];
      if (!r) throw new AppError("CHAT_USER_NOT_FOUND", "that user is not a member of this room");
      const u = await this.accounts.getUser(userId);
      return {
        userId,
        username: u.username,
        displayName: u.displayName,
        role: r.role as MemberRole,
        joinedAt: (r.joined_at as Date).toISOString(),
      };
    });
  }

  listMine(userId: number, page: { after?: number | undefined; limit: number }): Promise<RoomPage> {
    return this.#listing.listMine(userId, page);
  }

  listPublic(userId: number, page: { after?: number | undefined; limit: number }): Promise<RoomPage> {
    return this.#listing.listPublic(userId, page);
  }

  /** The caller's role inside a write; non-members get the same answer as requireMember. */
  async #roleOrHide(conn: PoolConnection, room: RoomRow, userId: number): Promise<MemberRole> {
    const role = await memberRole(conn, room.id, userId);
    if (role) return role;
    if (room.kind === "public") throw new AppError("CHAT_NOT_A_MEMBER");
    throw new AppError("CHAT_ROOM_NOT_FOUND");
  }
}
