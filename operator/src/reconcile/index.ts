// The reconcile, in order. Each phase is one file; the shell is controller/reconcile.ts.
import type { Phase } from "../controller/reconcile.js";
import { accountsPhase } from "./accounts.js";
import { finalizerPhase } from "./finalizer.js";
import { kafkaPhase } from "./kafka.js";
import { monitoringPhase } from "./monitoring.js";
import { mysqlPhase } from "./mysql.js";
import { platformPhase } from "./platform.js";
import { policiesPhase } from "./policies.js";
import { prunePhase } from "./prune.js";
import { rebalancePhase } from "./rebalance.js";
import { redisPhase } from "./redis.js";
import { secretsPhase } from "./secrets.js";
import { statusPhase } from "./status.js";

export const PHASES: Phase[] = [
  finalizerPhase,
  secretsPhase,
  accountsPhase,
  mysqlPhase,
  kafkaPhase,
  redisPhase,
  platformPhase,
  policiesPhase,
  monitoringPhase,
  prunePhase,
  statusPhase,
  // After status: it reads the shards' readiness the status phase recorded, and runs even while the cluster
  // converges (status only hints a requeue).
  rebalancePhase,
];
