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
  },
  {
    name: "message_dedup",
    roomCol: "room_id",
    key: ["sender_id", "client_msg_id"],
    cols: ["room_id", "sender_id", "client_msg_id", "seq", "created_at"],
    verified: true,
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
  },
  {
    name: "search_postings",
    roomCol: "room_id",
    key: ["seq", "term"],
    cols: ["term", "room_id", "seq"],
    verified: false,
  },
];

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

export const sameChecksum = (a: Checksum, b: Checksum): boolean => a.n === b.n && a.sum === b.sum;

/** Rows that a throttle of `rowsPerSecond` allows to have been copied by `elapsedMs`; how long to wait for `copied`. */
export function throttleDelayMs(copied: number, elapsedMs: number, rowsPerSecond: number): number {
  if (rowsPerSecond <= 0) return 0;
  const due = (copied / rowsPerSecond) * 1000;
  return Math.max(0, Math.ceil(due - elapsedMs));
}
