import { describe, expect, it } from "vitest";
import { OperatorMetrics, serveMetrics } from "./metrics.js";

describe("operator metrics", () => {
  it("serves /metrics, /healthz and /readyz", async () => {
    const m = new OperatorMetrics();
    m.reconciles.inc({ result: "success" });
    m.writes.inc({ verb: "apply", kind: "StatefulSet" });
    m.queueDepth.set(3);
    let ready = false;
    const server = await serveMetrics(m, 0, () => ready, "127.0.0.1");
    const port = (server.address() as { port: number }).port;
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toContain('chatcluster_operator_reconcile_total{result="success"} 1');
      expect(text).toContain('chatcluster_operator_api_writes_total{verb="apply",kind="StatefulSet"} 1');
      expect(text).toContain("chatcluster_operator_workqueue_depth 3");
      expect(text).toContain("chatcluster_operator_reconcile_duration_seconds_bucket");
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
      ready = true;
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      server.close();
    }
  });
});
