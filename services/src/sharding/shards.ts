// The set of shard pools this instance can reach, by shard id. A shard's id is its
// position in CHAT_MYSQL_SHARD_URLS followed by CHAT_MYSQL_SPARE_URLS, so every
// instance configured from the same lists agrees on ids.

import { createPool, type Pool } from "../db/pool.js";
import { AppError } from "../errors.js";

export type ShardState = "active" | "spare" | "draining";

export interface ShardInfo {
  id: number;
  configuredState: ShardState;
  pool: Pool;
  /** The send path's pool (multipleStatements on; only ShardWriter uses it). */
  writerPool: Pool;
}

export class ShardSet {
  readonly #shards = new Map<number, ShardInfo>();

  static fromUrls(active: readonly string[], spare: readonly string[], poolSize: number): ShardSet {
    const set = new ShardSet();
    // mysql2 pools connect lazily: a writer pool opens connections only when sends arrive.
    const pools = (url: string): [Pool, Pool] => [
      createPool(url, poolSize),
      createPool(url, poolSize, { multipleStatements: true }),
    ];
    for (const [i, url] of active.entries()) set.add(i, "active", ...pools(url));
    for (const [i, url] of spare.entries()) set.add(active.length + i, "spare", ...pools(url));
    return set;
  }

  add(id: number, configuredState: ShardState, pool: Pool, writerPool: Pool): void {
    this.#shards.set(id, { id, configuredState, pool, writerPool });
  }

  /** The pool for a shard; a directory entry naming an unknown shard is a routing failure, not a 500. */
  pool(id: number): Pool {
    const s = this.#shards.get(id);
    if (!s) throw new AppError("CHAT_ROOM_UNAVAILABLE", `shard ${id} is not configured on this instance`);
    return s.pool;
  }

  /** The shard's send-path pool (statement batches); see ShardWriter. */
  writerPool(id: number): Pool {
    const s = this.#shards.get(id);
    if (!s) throw new AppError("CHAT_ROOM_UNAVAILABLE", `shard ${id} is not configured on this instance`);
    return s.writerPool;
  }

  all(): ShardInfo[] {
    return [...this.#shards.values()].sort((a, b) => a.id - b.id);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.all().flatMap((s) => [s.pool.end(), s.writerPool.end()]));
  }
}
