import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { PHASES } from "../reconcile/index.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { type Phase, proceed, reconcile, requeue } from "./reconcile.js";

async function converge(fake: FakeKube, name = "chat") {
  const get = () => fake.get("chat.chatcluster.io/v1alpha1", "ChatCluster", "ns", name) as never;
  await reconcile(get(), deps(fake), PHASES);
  fake.makeAllReady();
  await reconcile(get(), deps(fake), PHASES);
  return get;
}

describe("reconcile shell", () => {
  it("runs phases in order and stops at the first requeue", async () => {
    const ran: string[] = [];
    const p = (name: string, r = proceed): Phase => ({
      name,
      run: async () => {
        ran.push(name);
        return r;
      },
    });
    const fake = new FakeKube();
    const out = await reconcile(newChatCluster(), deps(fake), [p("a"), p("b", requeue(5, "wait")), p("c")]);
    expect(ran).toEqual(["a", "b"]);
    expect(out.phase).toBe("b");
    expect(out.result).toEqual({ kind: "requeue", afterMs: 5, reason: "wait" });
  });
});

describe("full reconcile on the fake API server", () => {
  it("creates every child of the default cluster, then turns Ready", async () => {
    const fake = new FakeKube();
    fake.seed(newChatCluster() as never);
    const get = await converge(fake);
    expect(fake.kinds()).toEqual(
      [
        "ChatCluster/chat",
        "ConfigMap/chat-kafka-config",
        "ConfigMap/chat-mysql-config",
        "ConfigMap/chat-platform",
        "ConfigMap/chat-redis-config",
        "Deployment/chat-gateway",
        "Deployment/chat-realtime",
        "Deployment/chat-worker",
        "NetworkPolicy/chat-kafka",
        "NetworkPolicy/chat-mysql",
        "NetworkPolicy/chat-redis",
        "PodDisruptionBudget/chat-gateway",
        "PodDisruptionBudget/chat-realtime",
        "PodDisruptionBudget/chat-worker",
        "Secret/chat-credentials",
        "ServiceAccount/chat-kafka",
        "ServiceAccount/chat-mysql",
        "ServiceAccount/chat-platform",
        "ServiceAccount/chat-redis",
        "Service/chat-catalog",
        "Service/chat-gateway",
        "Service/chat-kafka",
        "Service/chat-realtime",
        "Service/chat-redis",
        "Service/chat-shard-0",
        "Service/chat-shard-1",
        "Service/chat-worker",
        "StatefulSet/chat-catalog",
        "StatefulSet/chat-kafka",
        "StatefulSet/chat-redis",
        "StatefulSet/chat-shard-0",
        "StatefulSet/chat-shard-1",
      ].sort(),
    );
    const cc = get() as {
      status: { phase: string; ready: string; conditions: { type: string; status: string }[] };
    };
    expect(cc.status.phase).toBe("Ready");
    expect(cc.status.ready).toBe("8/8");
    expect(cc.status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
  });

  it("re-reconciling an unchanged cluster sends zero writes", async () => {
    const fake = new FakeKube();
    fake.seed(newChatCluster() as never);
    const get = await converge(fake);
    await reconcile(get(), deps(fake), PHASES);
    fake.resetWrites();
    const recorder = deps(fake).recorder;
    for (let i = 0; i < 3; i++) await reconcile(get(), { ...deps(fake), recorder }, PHASES);
    expect(fake.writes).toEqual([]);
    expect(recorder.events).toEqual([]);
  });

  it("raising shards 2→3 adds one StatefulSet and Service and updates every role's shard list", async () => {
    const fake = new FakeKube();
    fake.seed(newChatCluster() as never);
    const get = await converge(fake);
    await reconcile(get(), deps(fake), PHASES);
    const cc = get() as { spec: { mysql: { shards: number } } };
    cc.spec.mysql.shards = 3;
    await fake.apply(cc as never);
    fake.resetWrites();
    const d = deps(fake);
    await reconcile(get(), d, PHASES);
    const applied = fake.writes.filter((w) => w.verb === "apply").map((w) => `${w.kind}/${w.name}`);
    // the shard URLs live in each role's pod env (they expand the password), so the Deployments roll
    expect(applied.sort()).toEqual([
      "Deployment/chat-gateway",
      "Deployment/chat-realtime",
      "Deployment/chat-worker",
      "Service/chat-shard-2",
      "StatefulSet/chat-shard-2",
    ]);
    expect(d.recorder.events.map((e) => e.reason)).toContain("ShardAdded");
    for (const role of ["gateway", "realtime", "worker"]) {
      const dep = fake.get("apps/v1", "Deployment", "ns", `chat-${role}`) as unknown as V1Deployment;
      const env = dep.spec?.template.spec?.containers[0]?.env ?? [];
      expect(env.find((e) => e.name === "CHAT_MYSQL_SHARD_URLS")?.value?.split(",")).toHaveLength(3);
    }
    const st = get() as { status: { shards: { index: number; state: string }[]; phase: string } };
    expect(st.status.shards.map((s) => s.state)).toEqual(["Ready", "Ready", "Provisioning"]);
    expect(st.status.phase).toBe("Degraded");
  });

  it("puts back a deleted child", async () => {
    const fake = new FakeKube();
    fake.seed(newChatCluster() as never);
    const get = await converge(fake);
    await fake.delete({ apiVersion: "apps/v1", kind: "Deployment", namespace: "ns", name: "chat-gateway" });
    fake.resetWrites();
    await reconcile(get(), deps(fake), PHASES);
    expect(fake.writes.filter((w) => w.verb === "apply").map((w) => w.name)).toEqual(["chat-gateway"]);
  });

  it("reverts drift on a child", async () => {
    const fake = new FakeKube();
    fake.seed(newChatCluster() as never);
    const get = await converge(fake);
    const cm = fake.get("v1", "ConfigMap", "ns", "chat-mysql-config") as never as {
      data: Record<string, string>;
    };
    cm.data["chatcluster.cnf"] = "edited";
    await fake.apply(cm as never);
    fake.resetWrites();
    await reconcile(get(), deps(fake), PHASES);
    expect(fake.writes.map((w) => w.name)).toEqual(["chat-mysql-config"]);
  });
});
