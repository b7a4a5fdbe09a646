import { describe, expect, it } from "vitest";
import { ReconcileContext } from "../controller/reconcile.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { monitoringPhase } from "./monitoring.js";

describe("monitoring phase", () => {
  it("creates nothing when the cluster does not serve the Prometheus Operator kinds", async () => {
    const fake = new FakeKube();
    await monitoringPhase.run(new ReconcileContext(newChatCluster(), deps(fake)));
    expect(fake.writes).toEqual([]);
  });

  it("creates a ServiceMonitor and a PrometheusRule when they are served", async () => {
    const fake = new FakeKube();
    fake.served.add("monitoring.coreos.com/v1");
    await monitoringPhase.run(new ReconcileContext(newChatCluster(), deps(fake)));
    expect(fake.kinds()).toEqual(["PrometheusRule/chat-platform", "ServiceMonitor/chat-platform"]);
  });

  it("respects monitoring.enabled: false", async () => {
    const fake = new FakeKube();
    fake.served.add("monitoring.coreos.com/v1");
    await monitoringPhase.run(
      new ReconcileContext(newChatCluster({ monitoring: { enabled: false } }), deps(fake)),
    );
    expect(fake.writes).toEqual([]);
  });
});
