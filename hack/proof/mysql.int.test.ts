// Proof: every MariaDB of the local data plane (catalog, shards, spares) speaks utf8mb4 end to end
// and supports the RANGE partitioning the message tables rely on.
import { randomBytes } from "node:crypto";
import mysql, { type Connection, type RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInfraEnv } from "./infra-env.js";

const env = loadInfraEnv();
const servers: [string, string][] = [
  ["catalog", env.mysqlCatalogUrl],
  ...env.mysqlShardUrls.map((u, i): [string, string] => [`shard ${i}`, u]),
  ...env.mysqlSpareUrls.map((u, i): [string, string] => [`spare ${i}`, u]),
];
const suffix = randomBytes(4).toString("hex");

describe.each(servers)("mysql %s", (_label, url) => {
  let db: Connection;
  const plain = `proof_text_${suffix}`;
  const parted = `proof_parted_${suffix}`;

  beforeAll(async () => {
    db = await mysql.createConnection({ uri: url, charset: "utf8mb4_unicode_ci", connectTimeout: 5_000 });
  });
  afterAll(async () => {
    if (!db) return;
    await db.query(`DROP TABLE IF EXISTS ${plain}, ${parted}`);
    await db.end();
  });

  it("runs utf8mb4 with a MySQL 8.4-like sql_mode", async () => {
    const [rows] = await db.query<RowDataPacket[]>(
      "SELECT @@character_set_server AS cs, @@sql_mode AS mode, DATABASE() AS db, 1 AS one",
    );
    expect(rows[0]).toMatchObject({ cs: "utf8mb4", db: "chat", one: 1 });
    expect(String(rows[0]?.mode)).toContain("STRICT_TRANS_TABLES");
    expect(String(rows[0]?.mode)).toContain("ONLY_FULL_GROUP_BY");
  });

  it("stores and returns Korean text and 4-byte characters unchanged", async () => {
    await db.query(
      `CREATE TABLE ${plain} (
         id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
         body VARCHAR(500) NOT NULL
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    );
    const bodies = ["안녕하세요", "hello, 世界", "emoji 🎉👍", "mixed 안녕 hi 🙂"];
    for (const body of bodies) {
      await db.execute(`INSERT INTO ${plain} (body) VALUES (?)`, [body]);
    }
    const [rows] = await db.query<RowDataPacket[]>(
      `SELECT body, CHAR_LENGTH(body) AS n FROM ${plain} ORDER BY id`,
    );
    expect(rows.map((r) => r.body)).toEqual(bodies);
    expect(rows[0]?.n).toBe(5); // five Hangul syllables, not 15 bytes
    const [hit] = await db.execute<RowDataPacket[]>(`SELECT COUNT(*) AS c FROM ${plain} WHERE body = ?`, [
      "안녕하세요",
    ]);
    expect(hit[0]?.c).toBe(1);
  });

  it("supports RANGE partitioning, partition pruning and dropping a partition", async () => {
    await db.query(
      `CREATE TABLE ${parted} (
         room_id BIGINT UNSIGNED NOT NULL,
         seq BIGINT UNSIGNED NOT NULL,
         created_at DATETIME(3) NOT NULL,
         body TEXT NOT NULL,
         PRIMARY KEY (room_id, seq, created_at)
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
       PARTITION BY RANGE (TO_DAYS(created_at)) (
         PARTITION p2026_01 VALUES LESS THAN (TO_DAYS('2026-02-01')),
         PARTITION p2026_02 VALUES LESS THAN (TO_DAYS('2026-03-01')),
         PARTITION pmax VALUES LESS THAN MAXVALUE
       )`,
    );
    await db.query(
      `INSERT INTO ${parted} (room_id, seq, created_at, body) VALUES
         (1, 1, '2026-01-15 10:00:00.000', '안녕하세요'),
         (1, 2, '2026-02-15 10:00:00.000', 'february'),
         (1, 3, '2026-05-01 10:00:00.000', 'later')`,
    );
    const [jan] = await db.query<RowDataPacket[]>(`SELECT seq, body FROM ${parted} PARTITION (p2026_01)`);
    expect(jan).toEqual([{ seq: 1, body: "안녕하세요" }]);
    const [parts] = await db.query<RowDataPacket[]>(
      `SELECT PARTITION_NAME AS p FROM information_schema.PARTITIONS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION`,
      [parted],
    );
    expect(parts.map((r) => r.p)).toEqual(["p2026_01", "p2026_02", "pmax"]);
    // Retention drops a whole month at once.
    await db.query(`ALTER TABLE ${parted} DROP PARTITION p2026_01`);
    const [left] = await db.query<RowDataPacket[]>(`SELECT seq FROM ${parted} ORDER BY seq`);
    expect(left.map((r) => r.seq)).toEqual([2, 3]);
  });
});
