// The room directory in the catalog: room → shard, epoch, state. Allocates room ids,
// places new rooms on the least-loaded active shard, and publishes epoch changes so
// every instance drops its cached route when a room moves.
import type { Redis } from "ioredis";
import type { Pool, RowDataPacket } from "../db/pool.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { DirectoryCache, parseEpochNotice, type RoomRoute } from "./cache.js";
import type { ShardState } from "./shards.js";

export type { RoomRoute };

export type RoomState = "creating" | "active" | "moving" | "deleted";

export interface ShardLoad {
  shardId: number;
  state: string;
  rooms: number;
}

export class RoomDirectory {
  readonly cache = new DirectoryCache();
  readonly #channel: string;
  #sub: Redis | null = null;
  readonly #noticeWaiters = new Map<number, Set<() => void>>();

  constructor(
    private readonly catalog: Pool,
    private readonly redis: Redis,
    redisPrefix: string,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.#channel = `${redisPrefix}directory:epoch`;
  }

  /** Records configured shards; an existing row keeps its state (an operator may have changed it). */
  async registerShards(shards: { id: number; state: ShardState }[]): Promise<void> {
    for (const s of shards) {
      await this.catalog.query("INSERT IGNORE INTO shards (id, state) VALUES (?, ?)", [s.id, s.state]);
    }
  }

  /** Subscribes to epoch-change notices on a dedicated connection. */
  async listen(sub: Redis): Promise<void> {
    this.#sub = sub;
    sub.on("message", (channel: string, raw: string) => {
      if (channel !== this.#channel) return;
      const n = parseEpochNotice(raw);
      if (n) {
        this.cache.onEpochChange(n.roomId, n.epoch);
        this.#wakeWaiters(n.roomId);
      } else this.log.warn("ignored malformed directory notice");
    });
    await sub.subscribe(this.#channel);
  }

  #wakeWaiters(roomId: number): void {
    const set = this.#noticeWaiters.get(roomId);
    if (!set) return;
    this.#noticeWaiters.delete(roomId);
    for (const wake of set) wake();
  }

  /** Resolves at the next epoch notice for the room, or after `ms`. */
  nextNotice(roomId: number, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#noticeWaiters.get(roomId);
      if (!set) {
        set = new Set();
        this.#noticeWaiters.set(roomId, set);
      }
      const wake = () => {
        clearTimeout(timer);
        this.#noticeWaiters.get(roomId)?.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      set.add(wake);
    });
  }

  async publishEpochChange(roomId: number, epoch: number): Promise<void> {
    this.cache.delete(roomId);
    this.#wakeWaiters(roomId);
    await this.redis.publish(this.#channel, JSON.stringify({ roomId, epoch }));
  }

  async lookup(roomId: number, opts: { fresh?: boolean } = {}): Promise<RoomRoute | null> {
    if (!opts.fresh) {
      const hit = this.cache.get(roomId);
      if (hit) {
        this.metrics.directoryCache.inc({ result: "hit" });
        return hit;
      }
    }
    this.metrics.directoryCache.inc({ result: "miss" });
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      "SELECT room_id, shard_id, epoch, state FROM room_directory WHERE room_id = ?",
      [roomId],
    );
    const r = rows[0];
    if (!r) {
      this.cache.delete(roomId);
      return null;
    }
    const route: RoomRoute = {
      roomId: Number(r.room_id),
      shardId: Number(r.shard_id),
      epoch: Number(r.epoch),
      state: String(r.state),
    };
    // Only settled routes are cached; transient states are re-read every time.
    if (route.state === "active") this.cache.set(route);
    else this.cache.delete(roomId);
    return route;
  }

  async lookupMany(roomIds: readonly number[]): Promise<Map<number, RoomRoute>> {
    const out = new Map<number, RoomRoute>();
    const missing: number[] = [];
    for (const id of roomIds) {
      const hit = this.cache.get(id);
      if (hit) out.set(id, hit);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const [rows] = await this.catalog.query<RowDataPacket[]>(
        "SELECT room_id, shard_id, epoch, state FROM room_directory WHERE room_id IN (?)",
        [missing],
      );
      for (const r of rows) {
        const route = {
          roomId: Number(r.room_id),
          shardId: Number(r.shard_id),
          epoch: Number(r.epoch),
          state: String(r.state),
        };
        if (route.state === "active") this.cache.set(route);
        out.set(route.roomId, route);
      }
    }
    return out;
  }

  /** Rooms per shard over all registered shards (deleted rooms excluded). */
  async shardLoads(): Promise<ShardLoad[]> {
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      `SELECT s.id AS shard_id, s.state AS state, COUNT(d.room_id) AS rooms
         FROM shards s
         LEFT JOIN room_directory d ON d.shard_id = s.id AND d.state <> 'deleted'
        GROUP BY s.id, s.state
        ORDER BY s.id`,
    );
    return rows.map((r) => ({ shardId: Number(r.shard_id), state: String(r.state), rooms: Number(r.rooms) }));
  }

  /** Allocates a room id on the least-loaded active shard (ties → lowest id), in state 'creating'. */
  async allocate(kind: string, usableShards: ReadonlySet<number>): Promise<RoomRoute> {
    const loads = (await this.shardLoads()).filter(
      (l) => l.state === "active" && usableShards.has(l.shardId),
    );
    const target = pickLeastLoaded(loads);
    if (target === undefined) throw new Error("no active shard is available for new rooms");
    const [res] = await this.catalog.query(
      "INSERT INTO room_directory (shard_id, epoch, state, kind) VALUES (?, 1, 'creating', ?)",
      [target, kind],
    );
    const roomId = Number((res as { insertId: number }).insertId);
    return { roomId, shardId: target, epoch: 1, state: "creating" };
  }

  async setState(roomId: number, state: RoomState): Promise<void> {
    await this.catalog.query(
      "UPDATE room_directory SET state = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE room_id = ?",
      [state, roomId],
    );
    this.cache.delete(roomId);
  }

  async close(): Promise<void> {
    if (this.#sub) await this.#sub.quit().catch(() => {});
  }
}

export function pickLeastLoaded(loads: readonly ShardLoad[]): number | undefined {
  let best: ShardLoad | undefined;
  for (const l of loads) {
    if (!best || l.rooms < best.rooms || (l.rooms === best.rooms && l.shardId < best.shardId)) best = l;
  }
  return best?.shardId;
}
