// Versioned schema migrations, applied at start. Each instance takes a named lock
// (GET_LOCK works on MySQL and MariaDB) so a fleet starting together applies each
// version exactly once; versions already recorded are skipped.
import type { Logger } from "../log.js";
import type { Pool, RowDataPacket } from "./pool.js";

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

const LOCK_TIMEOUT_SECONDS = 60;

export async function migrate(pool: Pool, migrations: readonly Migration[], log: Logger): Promise<number[]> {
  const conn = await pool.getConnection();
  const applied: number[] = [];
  try {
    const [lock] = await conn.query<RowDataPacket[]>("SELECT GET_LOCK('chat_schema_migrations', ?) AS ok", [
      LOCK_TIMEOUT_SECONDS,
    ]);
    if (lock[0]?.ok !== 1) throw new Error("could not take the schema migration lock");
    try {
      await conn.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version INT UNSIGNED NOT NULL PRIMARY KEY,
           name VARCHAR(200) NOT NULL,
           applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
         ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
      );
      const [rows] = await conn.query<RowDataPacket[]>("SELECT version FROM schema_migrations");
      const done = new Set(rows.map((r) => Number(r.version)));
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        // DDL auto-commits in MySQL, so a migration is not atomic: statements are
        // written to be re-runnable (IF NOT EXISTS) in case an instance dies midway.
        for (const sql of m.statements) await conn.query(sql);
        await conn.query("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [m.version, m.name]);
        log.info({ version: m.version, migration: m.name }, "applied migration");
        applied.push(m.version);
      }
    } finally {
      await conn.query("SELECT RELEASE_LOCK('chat_schema_migrations')");
    }
  } finally {
    conn.release();
  }
  return applied;
}
