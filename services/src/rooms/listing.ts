// Room lists: "my rooms" with unread counts, and public rooms to discover. Both page
// by room id from a catalog index and fetch details per shard in parallel; the shard
// has the final say (membership, deletion), so a stale index row never shows a room.

import type { RoomDto } from "../contracts/protocol.js";
import type { Pool, RowDataPacket } from "../db/pool.js";
import { mapRoom, ROOM_COLUMNS, type RoomRouter } from "../sharding/router.js";
import { isBackendUnavailable } from "../transient.js";
import { roomDto } from "./dto.js";
import { isMemberRole } from "./permissions.js";

export interface RoomPage {
  rooms: RoomDto[];
  nextCursor: number | null;
  /**
   * Rooms of this page whose shard did not answer (down or restarting): the page holds what
   * is reachable instead of failing whole; ask again for these later. Empty when complete.
   */
  unavailableRoomIds: number[];
}

export class RoomListing {
  constructor(
    private readonly router: RoomRouter,
    private readonly catalog: Pool,
  ) {}

  /**
   * "My rooms" with unread counts, paged by room id. The catalog index proposes room
   * ids; each shard confirms membership, so a stale index row never shows a room.
   */
  async listMine(userId: number, page: { after?: number | undefined; limit: number }): Promise<RoomPage> {
    const [idx] = await this.catalog.query<RowDataPacket[]>(
      "SELECT room_id FROM user_rooms WHERE user_id = ? AND room_id > ? ORDER BY room_id LIMIT ?",
      [userId, page.after ?? 0, page.limit + 1],
    );
    const more = idx.length > page.limit;
    const ids = idx.slice(0, page.limit).map((r) => Number(r.room_id));
    const routes = await this.router.directory.lookupMany(ids);
    const byShard = new Map<number, number[]>();
    for (const id of ids) {
      const route = routes.get(id);
      if (!route || route.state === "deleted" || route.state === "creating") continue;
      byShard.set(route.shardId, [...(byShard.get(route.shardId) ?? []), id]);
    }
    const { rooms, unavailable } = await this.#loadRooms(userId, byShard, ids, "member");
    return { rooms, nextCursor: more ? (ids.at(-1) ?? null) : null, unavailableRoomIds: unavailable };
  }

  /** Public rooms anyone can join, paged by room id; includes the caller's role where a member. */
  async listPublic(userId: number, page: { after?: number | undefined; limit: number }): Promise<RoomPage> {
    const [idx] = await this.catalog.query<RowDataPacket[]>(
      `SELECT room_id, shard_id FROM room_directory
        WHERE kind = 'public' AND state = 'active' AND room_id > ? ORDER BY room_id LIMIT ?`,
      [page.after ?? 0, page.limit + 1],
    );
    const more = idx.length > page.limit;
    const ids = idx.slice(0, page.limit).map((r) => Number(r.room_id));
    const byShard = new Map<number, number[]>();
    for (const r of idx.slice(0, page.limit)) {
      const shard = Number(r.shard_id);
      byShard.set(shard, [...(byShard.get(shard) ?? []), Number(r.room_id)]);
    }
    const { rooms, unavailable } = await this.#loadRooms(userId, byShard, ids, "public");
    return { rooms, nextCursor: more ? (ids.at(-1) ?? null) : null, unavailableRoomIds: unavailable };
  }

  /**
   * Loads the rooms of one page from their shards in parallel, with the caller's role and read
   * marker, in the page's id order. "member" keeps only rooms the caller is a member of (the
   * shard's room_members is the truth); "public" keeps public rooms, member or not.
   */
  async #loadRooms(
    userId: number,
    byShard: Map<number, number[]>,
    ids: number[],
    only: "member" | "public",
  ): Promise<{ rooms: RoomDto[]; unavailable: number[] }> {
    const membership = only === "member" ? "JOIN" : "LEFT JOIN";
    const kind = only === "public" ? "AND r.kind = 'public'" : "";
    const found = new Map<number, RoomDto>();
    const settled = await Promise.allSettled(
      [...byShard].map(async ([shardId, roomIds]) => {
        const [rows] = await this.router.shards.pool(shardId).query<RowDataPacket[]>(
          `SELECT ${ROOM_COLUMNS}, m.role AS my_role, COALESCE(rm.last_read_seq, 0) AS last_read_seq
             FROM rooms r
             ${membership} room_members m ON m.room_id = r.id AND m.user_id = ?
             LEFT JOIN read_markers rm ON rm.room_id = r.id AND rm.user_id = ?
            WHERE r.id IN (?) AND r.deleted_at IS NULL ${kind}`,
          [userId, userId, roomIds],
        );
        for (const r of rows) {
          const role = typeof r.my_role === "string" && isMemberRole(r.my_role) ? r.my_role : null;
          found.set(
            Number(r.id),
            roomDto(mapRoom(r), role ? { role, lastReadSeq: Number(r.last_read_seq) } : null),
          );
        }
      }),
    );
    // A shard that is down costs its rooms, not the page; anything else is still an error.
    const unavailable: number[] = [];
    const shardList = [...byShard];
    settled.forEach((r, i) => {
      if (r.status === "fulfilled") return;
      if (!isBackendUnavailable(r.reason)) throw r.reason;
      unavailable.push(...(shardList[i]?.[1] ?? []));
    });
    return {
      rooms: ids.map((id) => found.get(id)).filter((r): r is RoomDto => r !== undefined),
      unavailable: unavailable.sort((a, b) => a - b),
    };
  }
}
