import { describe, expect, it } from "vitest";
import type { ChatCluster } from "../api/index.js";
import { ReconcileContext, reconcile } from "../controller/reconcile.js";
import type { KObject } from "../kube/resources.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { PHASES } from "./index.js";
import { componentOf } from "./status.js";

const get = (fake: FakeKube) =>
  fake.get("chat.chatcluster.io/v1alpha1", "ChatCluster", "ns", "chat") as unknown as ChatCluster;

describe("status phase", () => {
  it("Provisioning with Ready=False until the workloads are ready, then Ready; requeues meanwhile", async () => {
    const fake = new FakeKube();
    fake.seed(newChatCluster() as unknown as KObject);
    const out = await reconcile(get(fake), deps(fake), PHASES);
    expect(out.result).toEqual({ kind: "requeue", afterMs: 30_000, reason: "not ready yet" });
    let st = get(fake).status;
    expect(st?.phase).toBe("Provisioning");
    expect(st?.ready).toBe("0/8");
    expect(st?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["Ready", "False", "ComponentsNotReady"],
      ["Progressing", "True", "Provisioning"],
      ["Degraded", "False", "Reconciled"],
      ["Rebalancing", "False", "RebalanceDisabled"],
    ]);
    expect(st?.shards?.map((s) => s.state)).toEqual(["Provisioning", "Provisioning"]);
    fake.makeAllReady();
    const d = deps(fake);
    await reconcile(get(fake), d, PHASES);
    st = get(fake).status;
    expect(st?.phase).toBe("Ready");
    expect(st?.version).toBe("0.1.0");
    expect(st?.observedGeneration).toBe(get(fake).metadata.generation);
    expect(st?.endpoints?.gateway).toBe("chat-gateway.ns.svc.cluster.local:8080");
    expect(st?.conditions?.find((c) => c.type === "Ready")?.reason).toBe("AllComponentsReady");
    expect(d.recorder.events.map((e) => e.reason)).toContain("ClusterReady");
  });

  it("after a version change: Upgrading with RollingUpdate progress until the roles have rolled", async () => {
    const fake = new FakeKube();
    fake.seed(newChatCluster() as unknown as KObject);
    await reconcile(get(fake), deps(fake), PHASES);
    fake.makeAllReady();
    await reconcile(get(fake), deps(fake), PHASES);
    const cc = get(fake);
    cc.spec.version = "0.2.0";
    await fake.apply(cc as unknown as KObject);
    await reconcile(get(fake), deps(fake), PHASES);
    const st = get(fake).status;
    expect(st?.phase).toBe("Upgrading");
    expect(st?.version).toBe("0.1.0");
    expect(st?.conditions?.find((c) => c.type === "Progressing")?.reason).toBe("RollingUpdate");
    fake.makeAllReady();
    await reconcile(get(fake), deps(fake), PHASES);
    expect(get(fake).status?.version).toBe("0.2.0");
  });

  it("keeps the rebalancer's per-shard load figures", async () => {
    const fake = new FakeKube();
    const cc = newChatCluster();
    cc.status = {
      shards: [{ index: 0, name: "chat-shard-0", state: "Registered", writesPerSecond: "120", rooms: 40 }],
    };
    fake.seed(cc as unknown as KObject);
    await reconcile(get(fake), deps(fake), PHASES);
    fake.makeAllReady();
    await reconcile(get(fake), deps(fake), PHASES);
    expect(get(fake).status?.shards?.[0]).toMatchObject({
      state: "Registered",
      writesPerSecond: "120",
      rooms: 40,
    });
  });

  it("a component is ready only when its controller has seen the latest generation", () => {
    const d = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x" },
      spec: { replicas: 2 },
    } as KObject;
    const live = (og: number) =>
      ({
        ...d,
        metadata: { name: "x", generation: 3 },
        status: { observedGeneration: og, readyReplicas: 2, updatedReplicas: 2 },
      }) as KObject;
    expect(componentOf(d, live(3) as never).ready).toBe(true);
    expect(componentOf(d, live(2) as never).ready).toBe(false);
    expect(componentOf(d, undefined).ready).toBe(false);
  });

  it("a missing external Secret makes the cluster Degraded with its reason", async () => {
    const fake = new FakeKube();
    fake.seed(
      newChatCluster({
        redis: { external: { host: "r", passwordSecretRef: { name: "nope" } } },
      }) as unknown as KObject,
    );
    const ctx = new ReconcileContext(get(fake), deps(fake));
    for (const p of PHASES) await p.run(ctx);
    const st = get(fake).status;
    expect(st?.conditions?.find((c) => c.type === "Degraded")).toMatchObject({
      status: "True",
      reason: "MissingSecret",
    });
  });
});
