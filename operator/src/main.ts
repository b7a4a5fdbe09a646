// The operator process: config from flags/env, metrics server, Lease leader election, then the controller.
// Options (flag or env): --kubeconfig / KUBECONFIG; --namespace / WATCH_NAMESPACE (default: all namespaces);
// --leader-elect=false / LEADER_ELECT; LEADER_ELECTION_NAMESPACE (default POD_NAMESPACE or "default");
// --metrics-port / METRICS_PORT (8080); --workers / WORKERS (4); LOG_LEVEL (info);
// LEASE_DURATION_SECONDS (15), RENEW_DEADLINE_SECONDS (10), RETRY_PERIOD_SECONDS (2);
// PLATFORM_ADMIN_URL: the platform admin API base URL the rebalancer uses for every ChatCluster, instead of
// each cluster's in-cluster gateway Service (dev loops where the platform runs outside the cluster).
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import pino from "pino";
import { Controller } from "./controller/controller.js";
import { kubeLeaseStore, LeaderElector } from "./controller/leader.js";
import { OperatorMetrics, serveMetrics } from "./controller/metrics.js";
import { HttpKubeClient } from "./kube/client.js";
import { loadKubeConfig } from "./kube/config.js";
import { HttpKube } from "./kube/http.js";

const { values } = parseArgs({
  options: {
    kubeconfig: { type: "string" },
    namespace: { type: "string" },
    "leader-elect": { type: "string" },
    "metrics-port": { type: "string" },
    workers: { type: "string" },
  },
});

const log = pino({ level: process.env.LOG_LEVEL ?? "info", base: { app: "chatcluster-operator" } });
const identity = `${process.env.POD_NAME ?? hostname()}_${randomBytes(4).toString("hex")}`;
const namespace = values.namespace ?? (process.env.WATCH_NAMESPACE || undefined);
const leaderElect = (values["leader-elect"] ?? process.env.LEADER_ELECT ?? "true") !== "false";
const leaseNamespace =
  process.env.LEADER_ELECTION_NAMESPACE ?? process.env.POD_NAMESPACE ?? namespace ?? "default";
const metricsPort = Number(values["metrics-port"] ?? process.env.METRICS_PORT ?? 8080);
const workers = Number(values.workers ?? process.env.WORKERS ?? 4);
const platformAdminUrl = process.env.PLATFORM_ADMIN_URL || undefined;
if (platformAdminUrl !== undefined && !/^https?:\/\/[^/]/.test(platformAdminUrl)) {
  log.fatal({ PLATFORM_ADMIN_URL: platformAdminUrl }, "PLATFORM_ADMIN_URL must be an http(s) URL");
  process.exit(2);
}

// Lease timing (seconds); the defaults are client-go's. Tests shorten them.
const timing = {
  leaseDurationMs: Number(process.env.LEASE_DURATION_SECONDS ?? 15) * 1000,
  renewDeadlineMs: Number(process.env.RENEW_DEADLINE_SECONDS ?? 10) * 1000,
  retryPeriodMs: Number(process.env.RETRY_PERIOD_SECONDS ?? 2) * 1000,
};

const metrics = new OperatorMetrics();
const http = new HttpKube(loadKubeConfig(values.kubeconfig));
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
