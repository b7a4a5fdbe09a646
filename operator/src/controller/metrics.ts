// prom-client metrics of the operator (prefix chatcluster_operator_) and its /metrics, /healthz, /readyz server.
import http from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: "chatcluster_operator_reconcile_total",
    help: "Reconciles by result (success, requeue, error).",
    labelNames: ["result"],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: "chatcluster_operator_reconcile_errors_total",
    help: "Reconciles that failed.",
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "chatcluster_operator_reconcile_duration_seconds",
    help: "Time per reconcile.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "chatcluster_operator_workqueue_depth",
    help: "Keys waiting in the work queue.",
    registers: [this.registry],
  });
  readonly writes = new Counter({
    name: "chatcluster_operator_api_writes_total",
    help: "Write requests sent to the API server, by verb and kind.",
    labelNames: ["verb", "kind"],
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: "chatcluster_operator_leader",
    help: "1 while this process holds the leader lease.",
    registers: [this.registry],
  });
  readonly managedClusters = new Gauge({
    name: "chatcluster_operator_chatclusters",
    help: "ChatClusters known to the operator.",
    registers: [this.registry],
  });
}

export function serveMetrics(
  m: OperatorMetrics,
  port: number,
  ready: () => boolean,
  host = "0.0.0.0",
): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    if (req.url === "/metrics") {
      res.setHeader("Content-Type", m.registry.contentType);
      res.end(await m.registry.metrics());
    } else if (req.url === "/healthz") {
      res.end("ok");
    } else if (req.url === "/readyz") {
      res.statusCode = ready() ? 200 : 503;
      res.end(ready() ? "ok" : "not ready");
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}
