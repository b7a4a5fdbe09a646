// Tables of the event pipeline. Versions start at 1001 so they never collide with the
// core's (1, 2, …); migrate() applies whatever is missing in version order.
//
// Where things live:
//  - shard:   the relay lease, the search index of the shard's rooms (room-scoped,
//             keyed by room_id first like every room table, so a room move copies it
//             with the room), and the search consumer's processed_events.
//  - catalog: notifications and everything per user (unread counters, mutes,
//             webhooks and their deliveries), and the notification consumer's
//             processed_events.

import { BIN } from "../db/collation.js";
import type { Migration } from "../db/migrate.js";

const TABLE_OPTS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

const processedEvents = `CREATE TABLE IF NOT EXISTS processed_events (
   consumer VARCHAR(64) NOT NULL,
   event_id VARCHAR(64) NOT NULL,
   processed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
   PRIMARY KEY (consumer, event_id),
   KEY ix_processed_at (processed_at)
 ) ${TABLE_OPTS}`;

export const pipelineShardMigrations: readonly Migration[] = [
  {
    version: 1001,
    name: "pipeline_shard_init",
    statements: [
      // One row: who relays this shard's outbox, until when (the shard's clock), and a
      // fencing token bumped on every change of holder.
      `CREATE TABLE IF NOT EXISTS outbox_relay_lease (
         id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
         owner VARCHAR(128) NOT NULL,
         token BIGINT UNSIGNED NOT NULL,
         expires_at DATETIME(3) NOT NULL
       ) ${TABLE_OPTS}`,
      "INSERT IGNORE INTO outbox_relay_lease (id, owner, token, expires_at) VALUES (1, '', 0, CURRENT_TIMESTAMP(3))",
      processedEvents,
      // One row per indexed (not deleted) message; body is the text as sent, for fragments.
      `CREATE TABLE IF NOT EXISTS search_docs (
         room_id BIGINT UNSIGNED NOT NULL,
         seq BIGINT UNSIGNED NOT NULL,
         sender_id BIGINT UNSIGNED NOT NULL,
         body TEXT NOT NULL,
         created_at DATETIME(3) NOT NULL,
         edited_at DATETIME(3) NULL,
         PRIMARY KEY (room_id, seq),
         KEY ix_search_docs_created (room_id, created_at)
       ) ${TABLE_OPTS}`,
      // Postings: term → (room, seq). Terms are "2:<bigram>", "3:<trigram>", "w:<word>"
      // of the normalized text, compared byte-wise (utf8mb4_bin).
      `CREATE TABLE IF NOT EXISTS search_postings (
         term VARCHAR(66) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
         room_id BIGINT UNSIGNED NOT NULL,
         seq BIGINT UNSIGNED NOT NULL,
         PRIMARY KEY (term, room_id, seq),
         KEY ix_search_postings_doc (room_id, seq)
       ) ${TABLE_OPTS}`,
    ],
  },
  {
    version: 1002,
    name: "outbox_event_id",
    // A room move copies unpublished outbox rows to the target shard with the event id
    // they got on the source, so both relays publish one event id (consumers dedupe).
    statements: [
      "ALTER TABLE outbox ADD COLUMN event_id VARCHAR(64) NULL, ADD KEY ix_outbox_event (event_id)",
    ],
  },
  {
    version: 1003,
    name: "pipeline_shard_identifiers_bin",
    // Event ids, consumer names and lease owners compare as bytes (see BIN).
    statements: [
      `ALTER TABLE outbox MODIFY event_id VARCHAR(64) ${BIN} NULL`,
      `ALTER TABLE processed_events MODIFY consumer VARCHAR(64) ${BIN} NOT NULL, MODIFY event_id VARCHAR(64) ${BIN} NOT NULL`,
      `ALTER TABLE outbox_relay_lease MODIFY owner VARCHAR(128) ${BIN} NOT NULL`,
    ],
  },
];

export const pipelineCatalogMigrations: readonly Migration[] = [
  {
    version: 1001,
    name: "pipeline_catalog_init",
    statements: [
      processedEvents,
      // One notification per user per message (UNIQUE): a DM that also @mentions you is one.
      `CREATE TABLE IF NOT EXISTS notifications (
         id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
         user_id BIGINT UNSIGNED NOT NULL,
         kind VARCHAR(16) NOT NULL,
         room_id BIGINT UNSIGNED NOT NULL,
         seq BIGINT UNSIGNED NOT NULL,
         actor_id BIGINT UNSIGNED NOT NULL,
         snippet VARCHAR(200) NOT NULL,
         event_id VARCHAR(64) NOT NULL,
         created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         read_at DATETIME(3) NULL,
         UNIQUE KEY uq_notifications_msg (user_id, room_id, seq),
         KEY ix_notifications_user (user_id, id),
         KEY ix_notifications_unread (user_id, read_at, id)
       ) ${TABLE_OPTS}`,
      // Unread counters derived from events: unread = last_seq − last_read_seq.
      `CREATE TABLE IF NOT EXISTS notification_unread (
         user_id BIGINT UNSIGNED NOT NULL,
         room_id BIGINT UNSIGNED NOT NULL,
         last_seq BIGINT UNSIGNED NOT NULL DEFAULT 0,
         last_read_seq BIGINT UNSIGNED NOT NULL DEFAULT 0,
         mentions INT UNSIGNED NOT NULL DEFAULT 0,
         updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         PRIMARY KEY (user_id, room_id),
         KEY ix_notification_unread_room (room_id)
       ) ${TABLE_OPTS}`,
      `CREATE TABLE IF NOT EXISTS notification_prefs (
         user_id BIGINT UNSIGNED NOT NULL,
         room_id BIGINT UNSIGNED NOT NULL,
         muted TINYINT(1) NOT NULL DEFAULT 0,
         updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         PRIMARY KEY (user_id, room_id),
         KEY ix_notification_prefs_room (room_id, muted)
       ) ${TABLE_OPTS}`,
      `CREATE TABLE IF NOT EXISTS notification_webhooks (
         user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
         url VARCHAR(2000) NOT NULL,
         secret VARCHAR(128) NOT NULL,
         created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
       ) ${TABLE_OPTS}`,
      // state: pending → (sending) → delivered | dead. A 'sending' row whose
      // next_attempt_at passed belonged to a worker that died; it is claimed again.
      `CREATE TABLE IF NOT EXISTS webhook_deliveries (
         id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
         user_id BIGINT UNSIGNED NOT NULL,
         notification_id BIGINT UNSIGNED NOT NULL,
         payload MEDIUMTEXT NOT NULL,
         state VARCHAR(16) NOT NULL,
         attempts INT UNSIGNED NOT NULL DEFAULT 0,
         next_attempt_at DATETIME(3) NOT NULL,
         last_error VARCHAR(500) NULL,
         last_status INT NULL,
         created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         KEY ix_webhook_due (state, next_attempt_at),
         KEY ix_webhook_user (user_id, state, id)
       ) ${TABLE_OPTS}`,
    ],
  },
  {
    version: 1002,
    name: "notifications_event_index",
    // The batch path reads back what it inserted by event id.
    statements: ["ALTER TABLE notifications ADD KEY ix_notifications_event (event_id)"],
  },
  {
    version: 1003,
    name: "pipeline_catalog_identifiers_bin",
    // Event ids, consumer names and states compare as bytes (see BIN).
    statements: [
      `ALTER TABLE processed_events MODIFY consumer VARCHAR(64) ${BIN} NOT NULL, MODIFY event_id VARCHAR(64) ${BIN} NOT NULL`,
      `ALTER TABLE notifications MODIFY kind VARCHAR(16) ${BIN} NOT NULL, MODIFY event_id VARCHAR(64) ${BIN} NOT NULL`,
      `ALTER TABLE webhook_deliveries MODIFY state VARCHAR(16) ${BIN} NOT NULL`,
    ],
  },
];
