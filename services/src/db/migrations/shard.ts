// Shard schema: everything scoped to one room, keyed by room_id first so a room
// can be copied to another shard with range scans and deleted as a unit.
// JSON-ish columns are TEXT: MySQL's JSON type and MariaDB's JSON alias come back
// differently from the driver, TEXT behaves the same on both.
import { BIN } from "../collation.js";
import type { Migration } from "../migrate.js";

const TABLE_OPTS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

/** The core shard tables; the app adds the event pipeline's (schema.ts). */
export const coreShardMigrations: readonly Migration[] = [
  {
    version: 1,
    name: "shard_init",
    statements: [
      // seq is the per-room message counter, bumped under the row lock of a send;
      // epoch must match the directory's epoch or the write is refused (move fence).
      `CREATE TABLE IF NOT EXISTS rooms (
         id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
         kind VARCHAR(16) NOT NULL,
         name VARCHAR(100) NOT NULL,
         topic VARCHAR(500) NOT NULL DEFAULT '',
         settings TEXT NOT NULL,
         seq BIGINT UNSIGNED NOT NULL DEFAULT 0,
         epoch INT UNSIGNED NOT NULL DEFAULT 1,
         member_count INT UNSIGNED NOT NULL DEFAULT 0,
         created_by BIGINT UNSIGNED NOT NULL,
         created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         deleted_at DATETIME(3) NULL
       ) ${TABLE_OPTS}`,
      `CREATE TABLE IF NOT EXISTS room_members (
         room_id BIGINT UNSIGNED NOT NULL,
         user_id BIGINT UNSIGNED NOT NULL,
         role VARCHAR(16) NOT NULL,
         joined_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         PRIMARY KEY (room_id, user_id)
       ) ${TABLE_OPTS}`,
      // Partitioned by month of created_at so retention drops whole partitions.
      // MySQL requires the partition column in every unique key, so the primary key
      // is (room_id, seq, created_at); seq uniqueness comes from the room counter, and
      // clientMsgId idempotency lives in message_dedup (unpartitioned) instead.
      `CREATE TABLE IF NOT EXISTS messages (
         room_id BIGINT UNSIGNED NOT NULL,
         seq BIGINT UNSIGNED NOT NULL,
         sender_id BIGINT UNSIGNED NOT NULL,
         body TEXT NOT NULL,
         parent_seq BIGINT UNSIGNED NULL,
         mentions TEXT NOT NULL,
         client_msg_id VARCHAR(64) NULL,
         created_at DATETIME(3) NOT NULL,
         edited_at DATETIME(3) NULL,
         deleted_at DATETIME(3) NULL,
         deleted_by BIGINT UNSIGNED NULL,
         PRIMARY KEY (room_id, seq, created_at)
       ) ${TABLE_OPTS}
       PARTITION BY RANGE COLUMNS (created_at) (
         PARTITION p_start VALUES LESS THAN ('2000-01-01 00:00:00'),
         PARTITION p_future VALUES LESS THAN (MAXVALUE)
       )`,
      `CREATE TABLE IF NOT EXISTS message_dedup (
         room_id BIGINT UNSIGNED NOT NULL,
         sender_id BIGINT UNSIGNED NOT NULL,
         client_msg_id VARCHAR(64) NOT NULL,
         seq BIGINT UNSIGNED NOT NULL,
         created_at DATETIME(3) NOT NULL,
         PRIMARY KEY (room_id, sender_id, client_msg_id),
         KEY ix_dedup_created (created_at)
       ) ${TABLE_OPTS}`,
      `CREATE TABLE IF NOT EXISTS reactions (
         room_id BIGINT UNSIGNED NOT NULL,
         seq BIGINT UNSIGNED NOT NULL,
         emoji VARCHAR(64) NOT NULL,
         user_id BIGINT UNSIGNED NOT NULL,
         created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         PRIMARY KEY (room_id, seq, emoji, user_id)
       ) ${TABLE_OPTS}`,
      `CREATE TABLE IF NOT EXISTS read_markers (
         room_id BIGINT UNSIGNED NOT NULL,
         user_id BIGINT UNSIGNED NOT NULL,
         last_read_seq BIGINT UNSIGNED NOT NULL DEFAULT 0,
         updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         PRIMARY KEY (room_id, user_id)
       ) ${TABLE_OPTS}`,
      // Written in the same transaction as the change it describes; the event
      // pipeline relays unpublished rows to Kafka keyed by room_id.
      `CREATE TABLE IF NOT EXISTS outbox (
         id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
         room_id BIGINT UNSIGNED NOT NULL,
         event_type VARCHAR(32) NOT NULL,
         payload MEDIUMTEXT NOT NULL,
         created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         published_at DATETIME(3) NULL,
         KEY ix_outbox_room (room_id, id),
         KEY ix_outbox_unpublished (published_at, id)
       ) ${TABLE_OPTS}`,
    ],
  },
  {
    version: 2,
    name: "messages_thread_index",
    // Thread pages: replies of one parent, in seq order.
    statements: ["ALTER TABLE messages ADD KEY ix_messages_parent (room_id, parent_seq, seq)"],
  },
  {
    version: 3,
    name: "shard_identifiers_bin",
    // Safe on existing rows: a byte-wise key is finer than the folded one, so no
    // unique key can gain a duplicate.
    statements: [
      `ALTER TABLE messages MODIFY client_msg_id VARCHAR(64) ${BIN} NULL`,
      `ALTER TABLE message_dedup MODIFY client_msg_id VARCHAR(64) ${BIN} NOT NULL`,
      `ALTER TABLE reactions MODIFY emoji VARCHAR(64) ${BIN} NOT NULL`,
      `ALTER TABLE rooms MODIFY kind VARCHAR(16) ${BIN} NOT NULL`,
      `ALTER TABLE room_members MODIFY role VARCHAR(16) ${BIN} NOT NULL`,
      `ALTER TABLE outbox MODIFY event_type VARCHAR(32) ${BIN} NOT NULL`,
    ],
  },
];
