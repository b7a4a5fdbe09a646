// mysql2 pools. Every connection speaks utf8mb4 and UTC so Korean text and
// timestamps survive the round trip identically on MySQL 8.4 and MariaDB 10.11.
import mysql, {
  type Pool,
  type PoolConnection,
  type ResultSetHeader,
  type RowDataPacket,
} from "mysql2/promise";

export type { Pool, PoolConnection, ResultSetHeader, RowDataPacket };
export type Queryable = Pick<Pool, "query" | "execute">;

export function createPool(
  url: string,
  connectionLimit: number,
  opts: { multipleStatements?: boolean } = {},
): Pool {
  const pool = mysql.createPool({
    uri: url,
    connectionLimit,
    charset: "utf8mb4_unicode_ci",
    timezone: "Z",
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    waitForConnections: true,
    enableKeepAlive: true,
    // Multiple statements stay off: one statement per call limits injection blast radius.
    // The one exception is each shard's writer pool (ShardSet.writerPool), used only by
    // ShardWriter, whose SQL is fixed text with placeholders: a send batch is two round
    // trips instead of nine.
    multipleStatements: opts.multipleStatements ?? false,
  });
  // The session clock must be UTC too, or CURRENT_TIMESTAMP defaults would be local time.
  pool.pool.on("connection", (conn) => {
    conn.query("SET time_zone = '+00:00'");
  });
  return pool;
}

/** Runs fn in a transaction on one connection; rolls back on any throw. */
export async function withTransaction<T>(pool: Pool, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const out = await fn(conn);
    await conn.commit();
    return out;
  } catch (err) {
    await conn.rollback().catch(() => {});
    throw err;
  } finally {
    conn.release();
  }
}

export const isDuplicateKey = (err: unknown): boolean =>
  typeof err === "object" && err !== null && (err as { code?: string }).code === "ER_DUP_ENTRY";

/** Database name from a mysql:// URL (for logs and migrations); never logs credentials. */
export function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || "3306"}${u.pathname}`;
}
