// The move's table lists against a migrated shard (information_schema): every shard
// table is copied, handed over or declared not room-scoped, and every copied table's
// columns are copied or declared skipped — a new table or column cannot be forgotten.
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import { createPool } from "../../src/db/pool.js";
import { silentLogger } from "../../src/log.js";
import {
  NOT_ROOM_SCOPED,
  OUTBOX_TABLE,
  ROOM_ROW_TABLES,
  ROOM_TABLE,
  ROOM_TABLES,
} from "../../src/moves/tables.js";
import { shardMigrations } from "../../src/schema.js";
import { createTestDatabases, type TestDatabases } from "../helpers/infra.js";

let dbs: TestDatabases;
const columns = new Map<string, string[]>();

beforeAll(async () => {
  dbs = await createTestDatabases(1);
  const url = dbs.shardUrls[0] as string;
  const pool = createPool(url, 2);
  try {
    await migrate(pool, shardMigrations, silentLogger());
  } finally {
    await pool.end();
  }
  const conn = await mysql.createConnection(url);
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()",
    );
    for (const r of rows) columns.set(String(r.t), [...(columns.get(String(r.t)) ?? []), String(r.c)]);
  } finally {
    await conn.end();
  }
});
afterAll(() => dbs?.drop());

describe("room-scoped tables are listed once and completely", () => {
  it("every shard table is copied, handed over, or declared not room-scoped", () => {
    const declared = [ROOM_TABLE.name, ...ROOM_TABLES.map((t) => t.name), OUTBOX_TABLE, ...NOT_ROOM_SCOPED];
    expect(new Set(declared).size).toBe(declared.length);
    expect([...columns.keys()].sort()).toEqual([...declared].sort());
    // A room is deleted from every table that holds its rows.
    expect([...ROOM_ROW_TABLES].sort()).toEqual([...ROOM_TABLES.map((t) => t.name), OUTBOX_TABLE].sort());
  });

  it("every column of a copied table is copied or declared skipped", () => {
    for (const spec of [ROOM_TABLE, ...ROOM_TABLES]) {
      const listed = [...spec.cols, ...(spec.skipped ?? [])].sort();
      expect(listed, spec.name).toEqual([...(columns.get(spec.name) ?? [])].sort());
      expect(columns.get(spec.name), `${spec.name}.${spec.roomCol}`).toContain(spec.roomCol);
    }
  });
});
