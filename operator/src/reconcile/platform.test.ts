import { describe, expect, it } from "vitest";
import { ReconcileContext } from "../controller/reconcile.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { platformPhase, REPLICAS_HANDOFF_MANAGER } from "./platform.js";

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

  describe("replicas under autoscaling (the HPA owns them; the hand-off never drops the count)", () => {
    const autoscaled = (min: number) =>
      newChatCluster({
        roles: {
          realtime: { replicas: 6, autoscaling: { enabled: true, minReplicas: min, maxReplicas: 10 } },
        },
      });
    const realtime = (fake: FakeKube) =>
      fake.objects.get("apps/v1/Deployment/ns/chat-realtime") as { spec: { replicas?: number } } | undefined;

    it("a new cluster starts at minReplicas, not 1", async () => {
      const fake = new FakeKube();
      await platformPhase.run(new ReconcileContext(autoscaled(3), deps(fake)));
      const handoffs = fake.writes.filter((w) => w.fieldManager === REPLICAS_HANDOFF_MANAGER);
      expect(handoffs.map((w) => w.name)).toEqual(["chat-realtime"]);
      expect(realtime(fake)?.spec.replicas).toBe(3);
    });

    it("turning autoscaling on at 6 replicas keeps 6 (the count is held before the operator lets go)", async () => {
      const fake = new FakeKube();
      await platformPhase.run(
        new ReconcileContext(newChatCluster({ roles: { realtime: { replicas: 6 } } }), deps(fake)),
      );
      expect(realtime(fake)?.spec.replicas).toBe(6);
      fake.resetWrites();
      await platformPhase.run(new ReconcileContext(autoscaled(2), deps(fake)));
      const order = fake.writes
        .filter((w) => w.name === "chat-realtime")
        .map((w) => w.fieldManager ?? "operator");
      expect(order).toEqual([REPLICAS_HANDOFF_MANAGER, "operator"]);
      expect(realtime(fake)?.spec.replicas).toBe(6);
    });

    it("once handed off, an unchanged cluster writes nothing", async () => {
      const fake = new FakeKube();
      await platformPhase.run(new ReconcileContext(autoscaled(2), deps(fake)));
      fake.resetWrites();
      await platformPhase.run(new ReconcileContext(autoscaled(2), deps(fake)));
      expect(fake.writes).toEqual([]);
    });
  });
});
