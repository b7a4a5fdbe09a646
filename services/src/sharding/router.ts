// Routes room-scoped work to the room's shard. Writes run in one shard transaction
// that first locks the room row *with the epoch the directory gave us*; if a move
// flipped the epoch meanwhile the lock finds no row, we refresh the route and retry
// once. This is the fence the online room move relies on.
//
// A write is only attempted with a route in state `active`: a room fenced by a move
// (`moving`) makes writers wait for the flip, bounded by the move's pause bound, then
// answer 503 CHAT_ROOM_MOVING (retryable). Reads are served from a `moving` route (the
// source is complete and frozen while fenced).

import { type Pool, type PoolConnection, type RowDataPacket, withTransaction } from "../db/pool.js";
import { AppError } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { RoomDirectory, RoomRoute } from "./directory.js";
import { MoveWaiter } from "./move-wait.js";
import type { ShardSet } from "./shards.js";

/** Thrown inside a shard transaction when the room's epoch no longer matches the route. */
export class StaleRouteError extends Error {
  override readonly name = "StaleRouteError";
}

export interface RoomRow {
  id: number;
  kind: "public" | "private" | "direct";
  name: string;
  topic: string;
  settings: Record<string, unknown>;
  seq: number;
  epoch: number;
  memberCount: number;
  createdBy: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Room columns qualified with the alias r (every query selecting them names rooms r). */
export const ROOM_COLUMNS =
  "r.id, r.kind, r.name, r.topic, r.settings, r.seq, r.epoch, r.member_count, r.created_by, r.created_at, r.updated_at";

export function mapRoom(r: RowDataPacket): RoomRow {
  let settings: Record<string, unknown> = {};
  try {
    settings = JSON.parse(String(r.settings)) as Record<string, unknown>;
  } catch {
    settings = {};
  }
  return {
    id: Number(r.id),
    kind: r.kind as RoomRow["kind"],
    name: String(r.name),
    topic: String(r.topic),
    settings,
    seq: Number(r.seq),
    epoch: Number(r.epoch),
    memberCount: Number(r.member_count),
    createdBy: Number(r.created_by),
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

export class RoomRouter {
  readonly #moves: MoveWaiter;

  constructor(
    readonly directory: RoomDirectory,
    readonly shards: ShardSet,
    private readonly metrics: Metrics,
    /** How long a write waits for a moving room (CHAT_MOVE_MAX_WRITE_PAUSE_MS). */
    private readonly movingWaitMs = 2000,
  ) {
    this.#moves = new MoveWaiter(directory);
  }

  /** The live route of a room, or CHAT_ROOM_NOT_FOUND. */
  async route(roomId: number, fresh = false): Promise<RoomRoute> {
    const route = await this.directory.lookup(roomId, { fresh });
    if (!route || route.state === "deleted" || route.state === "creating") {
      throw new AppError("CHAT_ROOM_NOT_FOUND");
    }
    return route;
  }

  /**
   * Runs a read on the room's shard. A read that finds the room missing or at another
   * epoch there (it moved) throws StaleRouteError and is retried on a fresh route.
   */
  async read<T>(roomId: number, fn: (pool: Pool, route: RoomRoute) => Promise<T>): Promise<T> {
    let route = await this.route(roomId);
    const movingUntil = Date.now() + this.movingWaitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(this.shards.pool(route.shardId), route);
      } catch (err) {
        if (!(err instanceof StaleRouteError)) throw err;
        this.metrics.staleRoutes.inc();
        this.directory.cache.delete(roomId);
        route = await this.route(roomId, true);
        // A move is taking its fence: the source row's epoch catches up with the directory
        // within moments (after in-flight send batches commit); retry shortly, bounded.
        if (route.state === "moving" && Date.now() < movingUntil) {
          await this.directory.nextNotice(roomId, 20);
          continue;
        }
        if (attempt >= 2) throw new AppError("CHAT_ROOM_UNAVAILABLE");
      }
    }
  }

  /** A route to write with: `active`, after waiting out a move's fence if needed. */
  async writeRoute(roomId: number, fresh = false): Promise<RoomRoute> {
    const route = await this.route(roomId, fresh);
    if (route.state === "active") return route;
    if (route.state !== "moving") throw new AppError("CHAT_ROOM_NOT_FOUND");
    const after = await this.#moves.wait(roomId, this.movingWaitMs);
    if (after === undefined) {
      throw new AppError(
        "CHAT_ROOM_MOVING",
        `room ${roomId} is being moved to another shard; retry shortly`,
        {
          retryAfterSeconds: 1,
        },
      );
    }
    if (after?.state !== "active") throw new AppError("CHAT_ROOM_NOT_FOUND");
    return after;
  }

  /** Runs fn with the room row locked under the epoch fence, re-routing once if it moved. */
  async write<T>(
    roomId: number,
    fn: (conn: PoolConnection, room: RoomRow, route: RoomRoute) => Promise<T>,
  ): Promise<T> {
    return this.withFence(roomId, (route) =>
      withTransaction(this.shards.pool(route.shardId), async (conn) => {
        const room = await lockRoom(conn, route);
        return fn(conn, room, route);
      }),
    );
  }

  /**
   * Runs a write with an active route; on a stale route retries with a fresh directory
   * read (waiting out a move's fence). Repeated misses without a move in the directory
   * mean the shard and the directory disagree: 503, retryable.
   */
  async withFence<T>(roomId: number, op: (route: RoomRoute) => Promise<T>): Promise<T> {
    let route = await this.writeRoute(roomId);
    for (let attempt = 0; ; attempt++) {
      try {
        return await op(route);
      } catch (err) {
        if (!(err instanceof StaleRouteError)) throw err;
        this.metrics.staleRoutes.inc();
        this.directory.cache.delete(roomId);
        if (attempt >= 2) throw new AppError("CHAT_ROOM_UNAVAILABLE");
        route = await this.writeRoute(roomId, true);
      }
    }
  }
}

/** Checks a room row read outside a lock against the route it was read through. */
export function checkRoomRow(r: RowDataPacket | undefined, route: RoomRoute): RowDataPacket {
  if (!r || Number(r.epoch) !== route.epoch) throw new StaleRouteError(`room ${route.roomId} moved`);
  if (r.deleted_at) throw new AppError("CHAT_ROOM_NOT_FOUND");
  return r;
}

/** Locks the room row if its epoch matches; StaleRouteError if moved, 404 if deleted. */
export async function lockRoom(conn: PoolConnection, route: RoomRoute): Promise<RoomRow> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT ${ROOM_COLUMNS}, r.deleted_at FROM rooms r WHERE r.id = ? FOR UPDATE`,
    [route.roomId],
  );
  const r = rows[0];
  if (!r) throw new StaleRouteError(`room ${route.roomId} is not on shard ${route.shardId}`);
  if (r.deleted_at) throw new AppError("CHAT_ROOM_NOT_FOUND");
  if (Number(r.epoch) !== route.epoch) throw new StaleRouteError(`room ${route.roomId} epoch changed`);
  return mapRoom(r);
}
