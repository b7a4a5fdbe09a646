// The operator process: config from flags/env, metrics server, Lease leader election, then the controller.
// Options (flag or env): --kubeconfig / KUBECONFIG; --namespace / WATCH_NAMESPACE (default: all namespaces);
// --leader-elect=false / LEADER_ELECT; LEADER_ELECTION_NAMESPACE (default POD_NAMESPACE or "default");
// --metrics-port / METRICS_PORT (8080); --workers / WORKERS (4); LOG_LEVEL (info);
// LEASE_DURATION_SECONDS (15), RENEW_DEADLINE_SECONDS (10), RETRY_PERIOD_SECONDS (2);
// PLATFORM_ADMIN_URL: the platform admin API base URL the rebalancer uses for every ChatCluster, instead of
// each cluster's in-cluster gateway Service (dev loops where the platform runs outside the cluster).
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import pino from "pino";
import { type OperatorConfig, OperatorConfigError, parseOperatorConfig } from "./config.js";
import { Controller } from "./controller/controller.js";
import { kubeLeaseStore, LeaderElector } from "./controller/leader.js";
import { OperatorMetrics, serveMetrics } from "./controller/metrics.js";
import { HttpKubeClient } from "./kube/client.js";
import { loadKubeConfig } from "./kube/config.js";
import { HttpKube } from "./kube/http.js";

// Parsed once, before anything else: a bad value exits 2 naming the variable (config.ts).
let cfg: OperatorConfig;
try {
  cfg = parseOperatorConfig(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof OperatorConfigError)) throw err;
  process.stderr.write(`chatcluster-operator: ${err.message}\n`);
  process.exit(2);
}

const log = pino({ level: cfg.logLevel, base: { app: "chatcluster-operator" } });
const identity = `${cfg.podName ?? hostname()}_${randomBytes(4).toString("hex")}`;
const { namespace, leaderElect, leaseNamespace, metricsPort, workers, platformAdminUrl } = cfg;
const timing = cfg.lease;

const metrics = new OperatorMetrics();
const http = new HttpKube(loadKubeConfig(cfg.kubeconfig));
const client = new HttpKubeClient(http, (verb, kind) => metrics.writes.inc({ verb, kind }));
const controller = new Controller(client, metrics, log, {
  namespace,
  workers,
  identity,
  rebalance: { adminUrl: platformAdminUrl },
});
const elector = leaderElect
  ? new LeaderElector(
      kubeLeaseStore(client, leaseNamespace, "chatcluster-operator"),
      "chatcluster-operator",
      leaseNamespace,
      identity,
      timing,
      Date.now,
      log,
    )
  : undefined;

const server = await serveMetrics(
  metrics,
  metricsPort,
  () => controller.hasSynced() || !(elector?.isLeader() ?? true),
);
log.info(
  { identity, namespace: namespace ?? "(all)", leaderElect, metricsPort, platformAdminUrl },
  "starting",
);

let stopping = false;
async function shutdown(signal: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  const deadline = setTimeout(() => process.exit(code || 1), 10_000);
  deadline.unref();
  await controller.stop().catch(() => {});
  await elector?.release();
  metrics.leader.set(0);
  server.close();
  http.close();
  process.exit(code);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

async function lead(): Promise<void> {
  metrics.leader.set(1);
  try {
    await controller.start();
  } catch (e) {
    log.error({ err: String(e) }, "controller failed to start");
    await shutdown("start-failure", 1);
  }
}

if (elector) {
  const res = await elector.run(() => void lead());
  // Losing the lease means another process may already be reconciling: exit and let the restart re-elect.
  if (res === "lost") await shutdown("leadership-lost", 1);
} else {
  await lead();
}
