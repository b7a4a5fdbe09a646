// Worker-role job: keeps message partitions ahead of time and drops expired ones.
// Runs at start and hourly; an advisory lock per shard keeps two workers from
// altering the same table at once.
import { maintainPartitions } from "../db/partitions.js";
import type { PoolConnection, RowDataPacket } from "../db/pool.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { withTimeout } from "../sharding/activate.js";
import type { ShardInfo, ShardSet } from "../sharding/shards.js";

/**
 * How long a spare shard gets to hand out a connection: it may not exist yet, or accept
 * connections and never answer (its pod starting), which would hold up the instance's
 * start for the whole connect timeout.
 */
const SPARE_CONNECT_MS = 1000;

async function connect(shard: ShardInfo): Promise<PoolConnection | null> {
  const pending = shard.pool.getConnection();
  if (shard.configuredState === "active") return pending.catch(() => null);
  try {
    return await withTimeout(pending, SPARE_CONNECT_MS, `connecting to spare shard ${shard.id}`);
  } catch {
    pending.then(
      (c) => c.release(),
      () => {},
    ); // a connection that arrives late goes back
    return null;
  }
}

export class RetentionJob {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(
    private readonly shards: ShardSet,
    private readonly opts: { retentionMonths: number; dedupWindowHours: number; intervalMs?: number },
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.runOnce(), this.opts.intervalMs ?? 3_600_000);
    this.#timer.unref();
  }

  runOnce(now = new Date()): Promise<void> {
    this.#running ??= this.#run(now).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #run(now: Date): Promise<void> {
    for (const shard of this.shards.all()) {
      const conn = await connect(shard);
      if (!conn) continue;
      try {
        const [lock] = await conn.query<RowDataPacket[]>("SELECT GET_LOCK('chat_retention', 0) AS ok");
        if (lock[0]?.ok !== 1) continue;
        try {
          const dropped = await maintainPartitions(shard.pool, { ...this.opts, now, log: this.log });
          if (dropped.length > 0)
            this.metrics.partitionsDropped.inc({ shard: String(shard.id) }, dropped.length);
        } finally {
          await conn.query("SELECT RELEASE_LOCK('chat_retention')");
        }
      } catch (err) {
        this.log.error({ err, shard: shard.id }, "partition maintenance failed");
      } finally {
        conn.release();
      }
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }
}
