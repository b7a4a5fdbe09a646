import { describe, expect, it } from "vitest";
import { ReconcileContext } from "../controller/reconcile.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { platformPhase } from "./platform.js";

describe("platform phase", () => {
  it("applies the ConfigMap and a Deployment + Service per role", async () => {
    const fake = new FakeKube();
    await platformPhase.run(new ReconcileContext(newChatCluster(), deps(fake)));
    expect(fake.kinds()).toEqual([
      "ConfigMap/chat-platform",
      "Deployment/chat-gateway",
      "Deployment/chat-realtime",
      "Deployment/chat-worker",
      "Service/chat-gateway",
      "Service/chat-realtime",
      "Service/chat-worker",
    ]);
  });

  it("a new version updates the three Deployments and records RolloutStarted", async () => {
    const fake = new FakeKube();
    await platformPhase.run(new ReconcileContext(newChatCluster(), deps(fake)));
    fake.resetWrites();
    const d = deps(fake);
    await platformPhase.run(new ReconcileContext(newChatCluster({ version: "0.2.0" }), d));
    expect(fake.writes.map((w) => w.name)).toEqual(["chat-gateway", "chat-realtime", "chat-worker"]);
    expect(d.recorder.events.map((e) => e.reason)).toEqual(["RolloutStarted"]);
  });
});
