import { describe, expect, it } from "vitest";
import { ReconcileContext } from "../controller/reconcile.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { policiesPhase } from "./policies.js";

describe("policies phase", () => {
  it("PDBs per role, NetworkPolicies, and HPAs only for autoscaled roles", async () => {
    const fake = new FakeKube();
    await policiesPhase.run(
      new ReconcileContext(
        newChatCluster({ roles: { realtime: { autoscaling: { enabled: true } } } }),
        deps(fake),
      ),
    );
    expect(fake.kinds()).toEqual([
      "HorizontalPodAutoscaler/chat-realtime",
      "NetworkPolicy/chat-kafka",
      "NetworkPolicy/chat-mysql",
      "NetworkPolicy/chat-redis",
      "PodDisruptionBudget/chat-gateway",
      "PodDisruptionBudget/chat-realtime",
      "PodDisruptionBudget/chat-worker",
    ]);
  });
});
