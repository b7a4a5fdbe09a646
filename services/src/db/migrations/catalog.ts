// Catalog schema: who the users are and where each room lives. Nothing room-scoped
// beyond the directory row and the user→rooms index lives here.
import { BIN } from "../collation.js";
import type { Migration } from "../migrate.js";

const TABLE_OPTS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

/** The core catalog tables; the app adds the event pipeline's (schema.ts). */
export const coreCatalogMigrations: readonly Migration[] = [
  {
    version: 1,
    name: "catalog_init",
    statements: [
      `CREATE TABLE IF NOT EXISTS users (
         id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
         username VARCHAR(32) NOT NULL,
         display_name VARCHAR(64) NOT NULL,
         created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         UNIQUE KEY uq_users_username (username)
       ) ${TABLE_OPTS}`,
      `CREATE TABLE IF NOT EXISTS credentials (
         user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
         password_hash VARCHAR(255) NOT NULL,
         updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
       ) ${TABLE_OPTS}`,
      // Only a SHA-256 of each refresh token is stored. family_id links a chain of
      // rotations so presenting an already-rotated token revokes the whole chain.
      `CREATE TABLE IF NOT EXISTS refresh_tokens (
         id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
         user_id BIGINT UNSIGNED NOT NULL,
         token_hash CHAR(64) NOT NULL,
         family_id CHAR(32) NOT NULL,
         expires_at DATETIME(3) NOT NULL,
         rotated_at DATETIME(3) NULL,
         revoked_at DATETIME(3) NULL,
         created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         UNIQUE KEY uq_refresh_hash (token_hash),
         KEY ix_refresh_family (family_id),
         KEY ix_refresh_user (user_id)
       ) ${TABLE_OPTS}`,
      // The shard registry; a shard's id is its position in the configured URL
      // lists (active shards first, then spares).
      `CREATE TABLE IF NOT EXISTS shards (
         id INT UNSIGNED NOT NULL PRIMARY KEY,
         state VARCHAR(16) NOT NULL,
         created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
       ) ${TABLE_OPTS}`,
      // The room directory: room → shard, epoch, state. Room ids are allocated here
      // so they stay unique across shards and survive a move.
      `CREATE TABLE IF NOT EXISTS room_directory (
         room_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
         shard_id INT UNSIGNED NOT NULL,
         epoch INT UNSIGNED NOT NULL DEFAULT 1,
         state VARCHAR(16) NOT NULL,
         kind VARCHAR(16) NOT NULL,
         created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         KEY ix_directory_shard (shard_id, state)
       ) ${TABLE_OPTS}`,
      // One direct room per unordered pair of users (user_lo < user_hi).
      `CREATE TABLE IF NOT EXISTS direct_rooms (
         user_lo BIGINT UNSIGNED NOT NULL,
         user_hi BIGINT UNSIGNED NOT NULL,
         room_id BIGINT UNSIGNED NOT NULL,
         PRIMARY KEY (user_lo, user_hi)
       ) ${TABLE_OPTS}`,
      // user → rooms index for "my rooms". The shard's member table is the truth;
      // listing re-checks membership there, so a stale index row never leaks a room.
      `CREATE TABLE IF NOT EXISTS user_rooms (
         user_id BIGINT UNSIGNED NOT NULL,
         room_id BIGINT UNSIGNED NOT NULL,
         joined_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         PRIMARY KEY (user_id, room_id),
         KEY ix_user_rooms_room (room_id)
       ) ${TABLE_OPTS}`,
    ],
  },
  {
    version: 2,
    name: "room_moves",
    statements: [
      // Online room moves (moves/): one row per move, its persisted state machine.
      // cursors = per-table copy positions (JSON) so a taken-over move resumes the
      // copy; owner + lease_until (catalog clock) say which instance drives it.
      `CREATE TABLE IF NOT EXISTS room_moves (
         id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
         room_id BIGINT UNSIGNED NOT NULL,
         from_shard INT UNSIGNED NOT NULL,
         to_shard INT UNSIGNED NOT NULL,
         state VARCHAR(16) NOT NULL,
         epoch_before INT UNSIGNED NOT NULL,
         fence_epoch INT UNSIGNED NULL,
         epoch_after INT UNSIGNED NULL,
         cursors TEXT NOT NULL,
         rows_copied BIGINT UNSIGNED NOT NULL DEFAULT 0,
         fence_attempts INT UNSIGNED NOT NULL DEFAULT 0,
         write_pause_ms INT UNSIGNED NULL,
         abort_requested TINYINT(1) NOT NULL DEFAULT 0,
         owner VARCHAR(128) NULL,
         lease_until DATETIME(3) NULL,
         reason VARCHAR(500) NULL,
         failure VARCHAR(500) NULL,
         started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         finished_at DATETIME(3) NULL,
         updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         KEY ix_room_moves_room (room_id, state),
         KEY ix_room_moves_open (finished_at, lease_until)
       ) ${TABLE_OPTS}`,
    ],
  },
  {
    version: 3,
    name: "catalog_identifiers_bin",
    // Identifiers compare as bytes (see BIN). users.username keeps unicode_ci on
    // purpose: names are normalized to lower-case ASCII before they reach the table,
    // and the folding collation is a second guard that "Alice" and "alice" can never
    // be two accounts should a future path skip the normalization.
    statements: [
      `ALTER TABLE refresh_tokens MODIFY token_hash CHAR(64) ${BIN} NOT NULL, MODIFY family_id CHAR(32) ${BIN} NOT NULL`,
      `ALTER TABLE shards MODIFY state VARCHAR(16) ${BIN} NOT NULL`,
      `ALTER TABLE room_directory MODIFY state VARCHAR(16) ${BIN} NOT NULL, MODIFY kind VARCHAR(16) ${BIN} NOT NULL`,
      `ALTER TABLE room_moves MODIFY state VARCHAR(16) ${BIN} NOT NULL, MODIFY owner VARCHAR(128) ${BIN} NULL`,
    ],
  },
];
