// Monthly partitions of the messages table. The planner is pure (tested without a
// database); the maintainer applies its plan on each shard at start and hourly.
import type { Logger } from "../log.js";
import type { Pool, RowDataPacket } from "./pool.js";

const MONTHLY = /^p(\d{4})(\d{2})$/;

export interface PartitionPlan {
  /** Monthly partitions to split off p_future, oldest first. */
  create: { name: string; lessThan: string }[];
  /** Partitions whose every row is past retention. */
  drop: string[];
}

const monthStart = (y: number, m0: number): Date => new Date(Date.UTC(y, m0, 1));
const fmtName = (d: Date): string => `p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
const fmtBound = (d: Date): string => `${d.toISOString().slice(0, 10)} 00:00:00`;

/** Upper bound (exclusive) of a partition by its name; null for p_future. */
export function partitionUpperBound(name: string): Date | null {
  if (name === "p_start") return new Date(Date.UTC(2000, 0, 1));
  const m = MONTHLY.exec(name);
  if (!m) return null;
  return monthStart(Number(m[1]), Number(m[2])); // pYYYYMM holds month MM: bound is the next month's 1st
}

export function planPartitions(
  existing: readonly string[],
  now: Date,
  retentionMonths: number,
  aheadMonths = 2,
): PartitionPlan {
  const have = new Set(existing);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const bounds = existing.map(partitionUpperBound).filter((d): d is Date => d !== null);
  const highest = new Date(Math.max(0, ...bounds.map((d) => d.getTime())));
  const create: PartitionPlan["create"] = [];
  // Months are only carved off p_future, above the highest existing bound, and without
  // skipping any month since then (a long-stopped worker catches up month by month).
  // A table that has never been split starts at the current month.
  const thisMonth = monthStart(y, m);
  const yearAgo = monthStart(y, m - 12);
  let start = highest >= yearAgo && highest < thisMonth ? highest : thisMonth;
  if (highest > start) start = highest;
  const last = monthStart(y, m + aheadMonths);
  while (start <= last) {
    const bound = monthStart(start.getUTCFullYear(), start.getUTCMonth() + 1);
    const name = fmtName(start);
    if (!have.has(name) && bound > highest) create.push({ name, lessThan: fmtBound(bound) });
    start = bound;
  }
  const drop: string[] = [];
  if (retentionMonths > 0) {
    const cutoff = monthStart(y, m - retentionMonths);
    for (const name of existing) {
      const b = partitionUpperBound(name);
      if (b && b <= cutoff) drop.push(name);
    }
  }
  return { create, drop };
}

export async function listPartitions(pool: Pool): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT PARTITION_NAME AS name FROM information_schema.PARTITIONS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'messages' AND PARTITION_NAME IS NOT NULL
      ORDER BY PARTITION_ORDINAL_POSITION`,
  );
  return rows.map((r) => String(r.name));
}

/** Applies the plan; returns the partitions dropped. Names come from the planner, never from input. */
export async function maintainPartitions(
  pool: Pool,
  opts: { now?: Date; retentionMonths: number; dedupWindowHours: number; log: Logger },
): Promise<string[]> {
  const now = opts.now ?? new Date();
  const plan = planPartitions(await listPartitions(pool), now, opts.retentionMonths);
  for (const p of plan.create) {
    await pool.query(
      `ALTER TABLE messages REORGANIZE PARTITION p_future INTO (
         PARTITION ${p.name} VALUES LESS THAN ('${p.lessThan}'),
         PARTITION p_future VALUES LESS THAN (MAXVALUE))`,
    );
    opts.log.info({ partition: p.name }, "created message partition");
  }
  for (const name of plan.drop) {
    await pool.query(`ALTER TABLE messages DROP PARTITION ${name}`);
    opts.log.info({ partition: name }, "dropped message partition (retention)");
  }
  // Idempotency records only need to outlive a client's retry window.
  const cutoff = new Date(now.getTime() - opts.dedupWindowHours * 3_600_000);
  for (;;) {
    const [res] = await pool.query("DELETE FROM message_dedup WHERE created_at < ? LIMIT 5000", [cutoff]);
    if ((res as { affectedRows: number }).affectedRows < 5000) break;
  }
  return plan.drop;
}
