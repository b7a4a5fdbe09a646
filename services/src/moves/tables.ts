// The room-scoped tables a move copies, and the SQL fragments to walk them in key
// order. Every table is keyed by room first (db/migrations/shard.ts), so one room's
// rows are one index range; `key` is the rest of the primary key, in index order.

export interface TableSpec {
  name: string;
  /** The column holding the room id. */
  roomCol: string;
  /** Order key after the room column (unique within the room). */
  key: readonly string[];
  cols: readonly string[];
  /** Compared by the final verification (count + checksum on both sides). */
  verified: boolean;
  /**
   * A column every new row takes above all existing ones (the room's seq): rows written
   * since the last pass are found by key as those above the target's maximum.
   */
  tail?: string;
  /** Columns of the table deliberately not copied (the test against information_schema knows them). */
  skipped?: readonly string[];
}

export const ROOM_TABLE: TableSpec = {
  name: "rooms",
  roomCol: "id",
  key: [],
  // epoch is not copied: the target row gets its own (0 until the flip).
  cols: [
    "id",
    "kind",
    "name",
    "topic",
    "settings",
    "seq",
    "member_count",
    "created_by",
    "created_at",
    "updated_at",
    "deleted_at",
  ],
  skipped: ["epoch"],
  verified: true,
};

/** Copied in this order; search tables are kept in sync best-effort (the indexer writes them asynchronously). */
export const ROOM_TABLES: readonly TableSpec[] = [
  {
    name: "room_members",
    roomCol: "room_id",
    key: ["user_id"],
    cols: ["room_id", "user_id", "role", "joined_at"],
    verified: true,
  },
  {
    name: "messages",
    roomCol: "room_id",
    key: ["seq"],
    cols: [
      "room_id",
      "seq",
      "sender_id",
      "body",
      "parent_seq",
      "mentions",
      "client_msg_id",
      "created_at",
      "edited_at",
      "deleted_at",
      "deleted_by",
    ],
    verified: true,
    tail: "seq",
  },
  {
    name: "message_dedup",
    roomCol: "room_id",
    key: ["sender_id", "client_msg_id"],
    cols: ["room_id", "sender_id", "client_msg_id", "seq", "created_at"],
    verified: true,
    tail: "seq",
  },
  {
    name: "reactions",
    roomCol: "room_id",
    key: ["seq", "emoji", "user_id"],
    cols: ["room_id", "seq", "emoji", "user_id", "created_at"],
    verified: true,
  },
  {
    name: "read_markers",
    roomCol: "room_id",
    key: ["user_id"],
    cols: ["room_id", "user_id", "last_read_seq", "updated_at"],
    verified: true,
  },
  {
    name: "search_docs",
    roomCol: "room_id",
    key: ["seq"],
    cols: ["room_id", "seq", "sender_id", "body", "created_at", "edited_at"],
    verified: false,
    tail: "seq",
  },
  {
    name: "search_postings",
    roomCol: "room_id",
    key: ["seq", "term"],
    cols: ["term", "room_id", "seq"],
    verified: false,
    tail: "seq",
  },
];

/**
 * The room-scoped table a move hands over by other means: its unpublished rows are copied by
 * event id in the tail pass (copier.ts), published ones stay behind and are deleted.
 */
export const OUTBOX_TABLE = "outbox";

/** Shard tables that hold no room's rows: a move leaves them alone. */
export const NOT_ROOM_SCOPED: readonly string[] = [
  "outbox_relay_lease",
  "processed_events",
  "schema_migrations",
];

/**
 * Every table holding a room's rows except `rooms`, in the order a room is deleted from a
 * shard (the copy order reversed, then the outbox; the rooms row goes last, it carries the fence).
 * Together with ROOM_TABLE and NOT_ROOM_SCOPED this is every table of a shard, which
 * moves-tables.int.test.ts checks against a migrated shard: a new table cannot be forgotten.
 */
export const ROOM_ROW_TABLES: readonly string[] = [...ROOM_TABLES.map((t) => t.name).reverse(), OUTBOX_TABLE];

export type Key = unknown[];

/**
 * `(k1, k2, …) > (v1, v2, …)` (or >= / <= with `op`) spelled as ORs of equalities, which
 * both MySQL and MariaDB turn into index ranges (row constructors are not always).
 */
export function keyCompare(
  key: readonly string[],
  op: ">" | "<=",
  values: Key,
): { sql: string; params: unknown[] } {
  if (key.length === 0 || values.length !== key.length) return { sql: "TRUE", params: [] };
  const strict = op === ">" ? ">" : "<";
  const terms: string[] = [];
  const params: unknown[] = [];
  for (let i = 0; i < key.length; i++) {
    const parts = key.slice(0, i).map((c) => `${c} = ?`);
    parts.push(`${key[i]} ${strict} ?`);
    terms.push(`(${parts.join(" AND ")})`);
    params.push(...values.slice(0, i), values[i]);
  }
  if (op === "<=") {
    terms.push(`(${key.map((c) => `${c} = ?`).join(" AND ")})`);
    params.push(...values);
  }
  return { sql: `(${terms.join(" OR ")})`, params };
}

/** WHERE clause of one room's rows with key in (lo, hi]; null bounds are open. */
export function rangeWhere(spec: TableSpec, roomId: number, lo: Key | null, hi: Key | null) {
  const after = lo ? keyCompare(spec.key, ">", lo) : { sql: "TRUE", params: [] };
  const upTo = hi ? keyCompare(spec.key, "<=", hi) : { sql: "TRUE", params: [] };
  return {
    sql: `${spec.roomCol} = ? AND ${after.sql} AND ${upTo.sql}`,
    params: [roomId, ...after.params, ...upTo.params],
  };
}

/** WHERE clause of one room's rows whose tail column is above `after` (the target's maximum). */
export function tailWhere(spec: TableSpec, roomId: number, after: number) {
  if (!spec.tail) throw new Error(`${spec.name} has no tail column`);
  return { sql: `${spec.roomCol} = ? AND ${spec.tail} > ?`, params: [roomId, after] };
}

export const orderBy = (spec: TableSpec): string =>
  spec.key.length ? `ORDER BY ${spec.key.join(", ")}` : "";

/**
 * Aggregate checksum expression over `cols`: row count, a sum of 48-bit MD5 prefixes and
 * an XOR of CRC32s. Values are compared as bytes (CAST AS BINARY), so collations and the
 * connection charset cannot make equal rows differ; NULL is distinct from every value.
 */
export function checksumSelect(cols: readonly string[]): string {
  const row = `CONCAT_WS(0x1f, ${cols.map((c) => `COALESCE(CAST(${c} AS BINARY), 0x00)`).join(", ")})`;
  return `COUNT(*) AS n, COALESCE(SUM(CONV(SUBSTRING(MD5(${row}), 1, 12), 16, 10)), 0) AS s, COALESCE(BIT_XOR(CRC32(${row})), 0) AS x`;
}

export interface Checksum {
  n: number;
  sum: string;
}

/**
 * Combines the checksums of disjoint parts of a table into the checksum of the whole:
 * counts and MD5 sums add, CRC32s XOR — exactly what one query over all rows returns.
 */
export function addChecksums(parts: readonly Checksum[]): Checksum {
  let n = 0;
  let s = 0n;
  let x = 0n;
  for (const p of parts) {
    const [ps = "0", px = "0"] = p.sum.split(":");
    n += p.n;
    s += BigInt(ps);
    x ^= BigInt(px);
  }
  return { n, sum: `${s}:${x}` };
}

export type SeqSlice = [lo: number | null, hi: number | null];

/**
 * Splits seqs up to `top` into `parts` slices (lo, hi] of about equal size, the first and
 * last open (null), so the slices cover every row whatever its seq.
 */
export function seqSlices(top: number, parts: number): SeqSlice[] {
  const k = Math.max(1, Math.min(parts, top));
  return Array.from(
    { length: k },
    (_, i): SeqSlice => [
      i === 0 ? null : Math.floor((top * i) / k),
      i === k - 1 ? null : Math.floor((top * (i + 1)) / k),
    ],
  );
}

export const sameChecksum = (a: Checksum, b: Checksum): boolean => a.n === b.n && a.sum === b.sum;

/** Rows that a throttle of `rowsPerSecond` allows to have been copied by `elapsedMs`; how long to wait for `copied`. */
export function throttleDelayMs(copied: number, elapsedMs: number, rowsPerSecond: number): number {
  if (rowsPerSecond <= 0) return 0;
  const due = (copied / rowsPerSecond) * 1000;
  return Math.max(0, Math.ceil(due - elapsedMs));
}
