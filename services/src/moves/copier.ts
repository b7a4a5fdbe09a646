// Row movement between two shards for one room: chunked copy in key order, chunked
// checksum comparison (re-copying only ranges that differ), the outbox hand-over and
// batched deletes. Idempotent: every step can be repeated after a crash.

import { eventId } from "../contracts/events.js";
import { type Pool, type RowDataPacket, withTransaction } from "../db/pool.js";
import {
  type Checksum,
  checksumSelect,
  type Key,
  orderBy,
  ROOM_ROW_TABLES,
  ROOM_TABLE,
  rangeWhere,
  type SeqSlice,
  type TableSpec,
  tailWhere,
} from "./tables.js";

const keyOf = (spec: TableSpec, r: RowDataPacket): Key => spec.key.map((c) => r[c]);

function upsertSql(spec: TableSpec): string {
  const keyCols = new Set([spec.roomCol, ...spec.key]);
  const updates = spec.cols.filter((c) => !keyCols.has(c)).map((c) => `${c} = VALUES(${c})`);
  const onDup = updates.length > 0 ? updates.join(", ") : `${spec.roomCol} = ${spec.roomCol}`;
  return `INSERT INTO ${spec.name} (${spec.cols.join(", ")}) VALUES ? ON DUPLICATE KEY UPDATE ${onDup}`;
}

async function selectRange(
  pool: Pool,
  spec: TableSpec,
  roomId: number,
  lo: Key | null,
  hi: Key | null,
  limit?: number,
) {
  const w = rangeWhere(spec, roomId, lo, hi);
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ${spec.cols.join(", ")} FROM ${spec.name} WHERE ${w.sql} ${orderBy(spec)}${limit ? " LIMIT ?" : ""}`,
    limit ? [...w.params, limit] : w.params,
  );
  return rows;
}

/** Copies the next `limit` rows after `after`; returns how many and the last key (null when done). */
export async function copyChunk(
  src: Pool,
  dst: Pool,
  spec: TableSpec,
  roomId: number,
  after: Key | null,
  limit: number,
): Promise<{ rows: number; last: Key | null }> {
  const rows = await selectRange(src, spec, roomId, after, null, limit);
  if (rows.length > 0) await dst.query(upsertSql(spec), [rows.map((r) => spec.cols.map((c) => r[c]))]);
  const lastRow = rows.at(-1);
  return { rows: rows.length, last: rows.length < limit || !lastRow ? null : keyOf(spec, lastRow) };
}

export async function checksum(
  pool: Pool,
  spec: TableSpec,
  roomId: number,
  lo: Key | null = null,
  hi: Key | null = null,
): Promise<Checksum> {
  const w = rangeWhere(spec, roomId, lo, hi);
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ${checksumSelect(spec.cols)} FROM ${spec.name} WHERE ${w.sql}`,
    w.params,
  );
  const r = rows[0];
  return { n: Number(r?.n ?? 0), sum: `${String(r?.s ?? 0)}:${String(r?.x ?? 0)}` };
}

/** Checksum of the room's rows of a table with a tail column whose seq is in (lo, hi]. */
export async function checksumSeqSlice(
  pool: Pool,
  spec: TableSpec,
  roomId: number,
  [lo, hi]: SeqSlice,
): Promise<Checksum> {
  const where = [`${spec.roomCol} = ?`];
  const params: unknown[] = [roomId];
  if (lo !== null) {
    where.push(`${spec.tail} > ?`);
    params.push(lo);
  }
  if (hi !== null) {
    where.push(`${spec.tail} <= ?`);
    params.push(hi);
  }
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ${checksumSelect(spec.cols)} FROM ${spec.name} WHERE ${where.join(" AND ")}`,
    params,
  );
  const r = rows[0];
  return { n: Number(r?.n ?? 0), sum: `${String(r?.s ?? 0)}:${String(r?.x ?? 0)}` };
}

/**
 * One comparison pass over a table: splits the room's source rows into key ranges of
 * `chunk` rows (one query), compares each range's checksum on both sides (a few ranges
 * at a time) and re-copies ranges that differ (the target's rows of the range are
 * replaced). Ranges partition the whole key space, so rows added meanwhile fall in one.
 * Returns how many source rows were re-copied.
 */
export async function syncTable(
  src: Pool,
  dst: Pool,
  spec: TableSpec,
  roomId: number,
  chunk: number,
  checkDeadline: () => void = () => {},
  concurrency = 3,
): Promise<number> {
  const keys = spec.key.join(", ");
  const [bounds] = await src.query<RowDataPacket[]>(
    `SELECT ${keys} FROM (
       SELECT ${keys}, ROW_NUMBER() OVER (ORDER BY ${keys}) AS rn FROM ${spec.name} WHERE ${spec.roomCol} = ?
     ) b WHERE rn % ? = 0 ORDER BY ${keys}`,
    [roomId, chunk],
  );
  const edges: (Key | null)[] = [null, ...bounds.map((r) => keyOf(spec, r)), null];
  const ranges = edges.slice(0, -1).map((lo, i) => ({ lo, hi: edges[i + 1] ?? null }));
  let rewritten = 0;
  let next = 0;
  // Rewrites of one table run one at a time: a range DELETE's next-key locks reach into
  // the neighbouring range, so two at once can deadlock. Comparisons run in parallel.
  let rewrites: Promise<unknown> = Promise.resolve();
  const worker = async () => {
    while (next < ranges.length) {
      const { lo, hi } = ranges[next++] as { lo: Key | null; hi: Key | null };
      checkDeadline();
      const [s, d] = await Promise.all([
        checksum(src, spec, roomId, lo, hi),
        checksum(dst, spec, roomId, lo, hi),
      ]);
      if (s.n === d.n && s.sum === d.sum) continue;
      const rewrite = rewrites.then(async () => {
        const rows = await selectRange(src, spec, roomId, lo, hi);
        await withTransaction(dst, async (conn) => {
          const dw = rangeWhere(spec, roomId, lo, hi);
          await conn.query(`DELETE FROM ${spec.name} WHERE ${dw.sql}`, dw.params);
          if (rows.length > 0)
            await conn.query(upsertSql(spec), [rows.map((r) => spec.cols.map((c) => r[c]))]);
        });
        rewritten += Math.max(rows.length, 1);
      });
      rewrites = rewrite.catch(() => {});
      await rewrite;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ranges.length) }, worker));
  return rewritten;
}

/** The room's seq counter on a shard: every message and dedup row so far has a seq at or below it. */
export async function roomSeq(pool: Pool, roomId: number): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>("SELECT seq FROM rooms WHERE id = ?", [roomId]);
  return Number(rows[0]?.seq ?? 0);
}

/**
 * Copies the rows of a table with a tail column whose seq is above `after` (the source's
 * seq counter read before the previous pass started: every row at or below it was there
 * for that pass to see). Found by key on the source, no clocks involved; edits and
 * deletes below it are left to the checksum comparison. Returns how many were copied.
 */
export async function copyTail(
  src: Pool,
  dst: Pool,
  spec: TableSpec,
  roomId: number,
  after: number,
): Promise<number> {
  const w = tailWhere(spec, roomId, after);
  const [rows] = await src.query<RowDataPacket[]>(
    `SELECT ${spec.cols.join(", ")} FROM ${spec.name} WHERE ${w.sql}`,
    w.params,
  );
  if (rows.length > 0) await dst.query(upsertSql(spec), [rows.map((r) => spec.cols.map((c) => r[c]))]);
  return rows.length;
}

/** Upserts the room row on the target (epoch is the target's own: 0 = not routable yet). */
export async function syncRoomRow(src: Pool, dst: Pool, roomId: number): Promise<boolean> {
  const [s, d] = await Promise.all([checksum(src, ROOM_TABLE, roomId), checksum(dst, ROOM_TABLE, roomId)]);
  if (s.n === d.n && s.sum === d.sum) return false;
  const rows = await selectRange(src, ROOM_TABLE, roomId, null, null);
  if (rows.length === 0) throw new Error(`room ${roomId} has no row on the source shard`);
  await dst.query(
    `${upsertSql(ROOM_TABLE).replace(`(${ROOM_TABLE.cols.join(", ")})`, `(${ROOM_TABLE.cols.join(", ")}, epoch)`)}`,
    [rows.map((r) => [...ROOM_TABLE.cols.map((c) => r[c]), 0])],
  );
  return true;
}

/**
 * Copies the room's unpublished outbox rows with a source id above `afterId` (in id
 * order, so they get lower ids on the target than anything written there after the
 * flip) with the event id they have on the source, skipping those already copied.
 * Returns how many were copied and the highest source id seen (the next call's
 * `afterId`; `missingOutbox` catches a row that committed late below it).
 */
export async function copyOutbox(
  src: Pool,
  dst: Pool,
  srcShard: number,
  roomId: number,
  afterId = 0,
): Promise<{ copied: number; lastId: number }> {
  const [rows] = await src.query<RowDataPacket[]>(
    `SELECT id, event_type, payload, created_at, event_id FROM outbox
      WHERE room_id = ? AND id > ? AND published_at IS NULL ORDER BY id`,
    [roomId, afterId],
  );
  const lastId = rows.length > 0 ? Number(rows.at(-1)?.id) : afterId;
  if (rows.length === 0) return { copied: 0, lastId };
  const withIds = rows.map((r) => ({
    r,
    id: r.event_id ? String(r.event_id) : eventId(srcShard, Number(r.id)),
  }));
  const [have] = await dst.query<RowDataPacket[]>(
    "SELECT event_id FROM outbox WHERE room_id = ? AND event_id IN (?)",
    [roomId, withIds.map((x) => x.id)],
  );
  const seen = new Set(have.map((h) => String(h.event_id)));
  const todo = withIds.filter((x) => !seen.has(x.id));
  if (todo.length > 0) {
    await dst.query("INSERT INTO outbox (room_id, event_type, payload, created_at, event_id) VALUES ?", [
      todo.map(({ r, id }) => [roomId, r.event_type, r.payload, r.created_at, id]),
    ]);
  }
  return { copied: todo.length, lastId };
}

/** Source outbox rows still unpublished whose event id the target lacks (must be 0 before the flip). */
export async function missingOutbox(src: Pool, dst: Pool, srcShard: number, roomId: number): Promise<number> {
  const [rows] = await src.query<RowDataPacket[]>(
    "SELECT id, event_id FROM outbox WHERE room_id = ? AND published_at IS NULL",
    [roomId],
  );
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => (r.event_id ? String(r.event_id) : eventId(srcShard, Number(r.id))));
  const [have] = await dst.query<RowDataPacket[]>(
    "SELECT COUNT(DISTINCT event_id) AS n FROM outbox WHERE room_id = ? AND event_id IN (?)",
    [roomId, ids],
  );
  return ids.length - Number(have[0]?.n ?? 0);
}

/** Deletes every row of the room on a shard in batches; the rooms row last (it carries the fence). */
export async function deleteRoomRows(pool: Pool, roomId: number, batch: number): Promise<number> {
  let total = 0;
  for (const table of ROOM_ROW_TABLES) {
    for (;;) {
      const [res] = await pool.query(`DELETE FROM ${table} WHERE room_id = ? LIMIT ?`, [roomId, batch]);
      const n = (res as { affectedRows: number }).affectedRows;
      total += n;
      if (n < batch) break;
    }
  }
  await pool.query("DELETE FROM rooms WHERE id = ?", [roomId]);
  return total;
}
