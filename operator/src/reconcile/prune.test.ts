import { describe, expect, it } from "vitest";
import type { ChatCluster } from "../api/index.js";
import { ReconcileContext, reconcile } from "../controller/reconcile.js";
import type { KObject } from "../kube/resources.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { PHASES } from "./index.js";
import { prunePhase } from "./prune.js";

describe("prune phase", () => {
  it("deletes an owned object that is no longer desired (HPA after autoscaling is turned off)", async () => {
    const fake = new FakeKube();
    const cc = fake.seed(
      newChatCluster({ roles: { gateway: { autoscaling: { enabled: true } } } }) as unknown as KObject,
    ) as unknown as ChatCluster;
    await reconcile(cc, deps(fake), PHASES);
    expect(fake.kinds()).toContain("HorizontalPodAutoscaler/chat-gateway");
    const off = fake.get(cc.apiVersion, cc.kind, "ns", "chat") as unknown as ChatCluster;
    off.spec.roles.gateway.autoscaling.enabled = false;
    fake.resetWrites();
    const d = deps(fake);
    await reconcile(off, d, PHASES);
    expect(fake.kinds()).not.toContain("HorizontalPodAutoscaler/chat-gateway");
    expect(fake.writes).toContainEqual({
      verb: "delete",
      kind: "HorizontalPodAutoscaler",
      name: "chat-gateway",
    });
    expect(d.recorder.events.map((e) => e.reason)).toContain("Pruned");
  });

  it("never deletes objects it does not own, nor shard StatefulSets", async () => {
    const fake = new FakeKube();
    const cc = fake.seed(newChatCluster() as unknown as KObject) as unknown as ChatCluster;
    const labels = { "chat.chatcluster.io/cluster": "chat", "app.kubernetes.io/component": "shard" };
    fake.seed({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "users-own", namespace: "ns", labels },
    });
    fake.seed({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: {
        name: "chat-shard-9",
        namespace: "ns",
        labels,
        ownerReferences: [
          {
            apiVersion: "x",
            kind: "ChatCluster",
            name: "chat",
            uid: cc.metadata.uid ?? "",
            controller: true,
          },
        ],
      },
    });
    await prunePhase.run(new ReconcileContext(cc, deps(fake)));
    expect(fake.writes).toEqual([]);
  });
});
