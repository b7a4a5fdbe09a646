// The database schemas this app runs, composed here: the core tables (db/migrations/)
// and the event pipeline's (pipeline/migrations.ts, versions 1001+). db/ stays below
// pipeline/ — it knows how to migrate, not which features have tables.

import type { Migration } from "./db/migrate.js";
import { coreCatalogMigrations } from "./db/migrations/catalog.js";
import { coreShardMigrations } from "./db/migrations/shard.js";
import { pipelineCatalogMigrations, pipelineShardMigrations } from "./pipeline/migrations.js";

export const catalogMigrations: readonly Migration[] = [
  ...coreCatalogMigrations,
  ...pipelineCatalogMigrations,
];
export const shardMigrations: readonly Migration[] = [...coreShardMigrations, ...pipelineShardMigrations];
