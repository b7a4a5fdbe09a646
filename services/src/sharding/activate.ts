// Spare shards: configured on every instance (CHAT_MYSQL_SPARE_URLS) but possibly not
// reachable yet (the operator grows the StatefulSet later). They are migrated
// best-effort at start and for real when activated; only shards active in the catalog
// count for readiness.
import { type Migration, migrate } from "../db/migrate.js";
import type { Pool, RowDataPacket } from "../db/pool.js";
import { AppError } from "../errors.js";
import type { Logger } from "../log.js";
import type { ShardLoad } from "./directory.js";
import type { ShardSet } from "./shards.js";

export const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, rej) =>
      setTimeout(() => rej(new Error(`${what} timed out after ${ms}ms`)), ms).unref(),
    ),
  ]);

/** Migrates shards; spares that do not answer within `spareTimeoutMs` are skipped (logged). */
export async function migrateShards(
  shards: ShardSet,
  migrations: readonly Migration[],
  log: Logger,
  spareTimeoutMs: number,
): Promise<void> {
  await Promise.all(
    shards.all().map(async (s) => {
      const run = migrate(s.pool, migrations, log.child({ shard: s.id }));
      if (s.configuredState === "active") return run;
      run.catch(() => {}); // a late failure of a timed-out spare migration is expected
      try {
        await withTimeout(run, spareTimeoutMs, `migrating spare shard ${s.id}`);
      } catch (err) {
        log.warn(
          { shard: s.id, err: (err as Error).message },
          "spare shard not migrated yet (migrated on activation)",
        );
      }
    }),
  );
}

/** Shard ids the catalog marks active. */
export async function activeShardIds(catalog: Pool): Promise<Set<number>> {
  const [rows] = await catalog.query<RowDataPacket[]>("SELECT id FROM shards WHERE state = 'active'");
  return new Set(rows.map((r) => Number(r.id)));
}

/** Migrates a configured shard and marks it active in the catalog. Idempotent. */
export async function activateShard(
  catalog: Pool,
  shards: ShardSet,
  shardId: number,
  /** The shard schema (schema.ts), passed in so sharding/ does not depend on which features have tables. */
  migrations: readonly Migration[],
  log: Logger,
  timeoutMs = 15_000,
): Promise<ShardLoad> {
  const shard = shards.all().find((s) => s.id === shardId);
  if (!shard)
    throw new AppError("CHAT_SHARD_NOT_FOUND", `shard ${shardId} is not configured on this instance`);
  try {
    await withTimeout(migrate(shard.pool, migrations, log.child({ shard: shardId })), timeoutMs, "migration");
  } catch (err) {
    log.warn({ shard: shardId, err: (err as Error).message }, "shard activation failed: shard unreachable");
    throw new AppError("CHAT_SHARD_UNAVAILABLE", `shard ${shardId} did not answer; retry when it is up`);
  }
  await catalog.query(
    `INSERT INTO shards (id, state) VALUES (?, 'active')
     ON DUPLICATE KEY UPDATE state = 'active', updated_at = CURRENT_TIMESTAMP(3)`,
    [shardId],
  );
  const [rows] = await catalog.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM room_directory WHERE shard_id = ? AND state <> 'deleted'",
    [shardId],
  );
  log.info({ shard: shardId }, "shard activated");
  return { shardId, state: "active", rooms: Number(rows[0]?.n ?? 0) };
}
