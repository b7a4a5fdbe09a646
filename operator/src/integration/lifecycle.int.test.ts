// The operator's behaviour over time against the real API server: scaling shards, self-healing, zero
// writes when nothing changed, rolling upgrades, and deletionPolicy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KObject } from "../kube/resources.js";
import {
  type Conn,
  connect,
  createNamespace,
  deleteNamespace,
  ensureCRD,
  getCC,
  loadSample,
  type RunningOperator,
  startOperator,
  waitFor,
  waitReady,
} from "./harness.js";

let c: Conn;
beforeAll(async () => {
  c = await connect();
  await ensureCRD(c);
});
afterAll(() => c?.http.close());

const CC = "chat.chatcluster.io/v1alpha1";

async function withCluster(
  prefix: string,
  spec: Record<string, unknown>,
  fn: (ns: string, op: RunningOperator) => Promise<void>,
): Promise<void> {
  const ns = await createNamespace(c, prefix);
  const op = await startOperator(c, ns);
  try {
    const sample = loadSample("chatcluster-minimal.yaml");
    sample.metadata = { name: "chat", namespace: ns };
    (sample as unknown as { spec: unknown }).spec = spec;
    await c.client.apply(sample);
    await waitReady(c, ns, "chat");
    await fn(ns, op);
  } finally {
    await op.stop();
    await deleteNamespace(c, ns);
  }
}

const writesExceptEvents = (op: RunningOperator, from = 0) =>
  op.writes.slice(from).filter((w) => w.kind !== "Event");

/** Waits until the operator has sent no write for quietMs. */
async function quiet(op: RunningOperator, quietMs = 2000): Promise<void> {
  let n = op.writes.length;
  let since = Date.now();
  await waitFor("the operator to go quiet", 30_000, async () => {
    if (op.writes.length !== n) {
      n = op.writes.length;
      since = Date.now();
    }
    return Date.now() - since >= quietMs;
  });
}

describe("lifecycle", () => {
  it("re-reconciling an unchanged cluster sends zero writes", async () => {
    await withCluster("zero", { mysql: { shards: 2 } }, async (ns, op) => {
      await quiet(op);
      const before = op.writes.length;
      const key = `${ns}/chat`;
      for (let i = 0; i < 5; i++) {
        op.controller.queue.add(key);
        await op.reconciled(key);
      }
      expect(op.writes.slice(before)).toEqual([]);
      // and the counter did see the initial writes (it counts at all)
      expect(before).toBeGreaterThan(10);
    });
  });

  it("raising shards 2→3 adds a StatefulSet and updates the shard list", async () => {
    await withCluster("shards", { mysql: { shards: 2 } }, async (ns, op) => {
      await quiet(op);
      const before = op.writes.length;
      await c.client.mergePatch(
        { apiVersion: CC, kind: "ChatCluster", namespace: ns, name: "chat" },
        {
          spec: { mysql: { shards: 3 } },
        },
      );
      const sts = await waitFor("chat-shard-2", 20_000, () =>
        c.client.get({ apiVersion: "apps/v1", kind: "StatefulSet", namespace: ns, name: "chat-shard-2" }),
      );
      expect(sts.metadata.ownerReferences?.[0]?.controller).toBe(true);
      const cc = await waitReady(c, ns, "chat");
      expect(cc.status?.shards?.map((s) => s.name)).toEqual(["chat-shard-0", "chat-shard-1", "chat-shard-2"]);
      expect(cc.status?.ready).toBe("9/9");
      for (const role of ["gateway", "realtime", "worker"]) {
        const dep = (await c.client.get({
          apiVersion: "apps/v1",
          kind: "Deployment",
          namespace: ns,
          name: `chat-${role}`,
        })) as
          | (KObject & {
              spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } };
            })
          | undefined;
        const env = dep?.spec.template.spec.containers[0]?.env ?? [];
        expect(env.find((e) => e.name === "CHAT_MYSQL_SHARD_URLS")?.value?.split(",")).toHaveLength(3);
      }
      const applied = writesExceptEvents(op, before)
        .filter((w) => w.verb === "apply")
        .map((w) => w.kind)
        .sort();
      // exactly the new shard's Service + StatefulSet and the three role Deployments, whose env lists the
      // shard URLs (each once)
      expect(applied).toEqual(["Deployment", "Deployment", "Deployment", "Service", "StatefulSet"]);
      // and a Kubernetes Event says so
      await waitFor("a ShardAdded event", 10_000, async () =>
        (await c.client.list("events.k8s.io/v1", "Event", ns)).items.some(
          (e) => (e as { reason?: string; note?: string }).reason === "ShardAdded",
        ),
      );
    });
  });

  it("a deleted child comes back", async () => {
    await withCluster("heal", {}, async (ns) => {
      const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "chat-gateway" };
      const old = await c.client.get(ref);
      await c.client.delete(ref);
      const back = await waitFor("chat-gateway recreated", 20_000, async () => {
        const o = await c.client.get(ref);
        return o && o.metadata.uid !== old?.metadata.uid ? o : undefined;
      });
      expect(back.metadata.ownerReferences?.[0]?.kind).toBe("ChatCluster");
      const cmRef = { apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "chat-mysql-config" };
      await c.client.mergePatch(cmRef, { data: { "chatcluster.cnf": "tampered" } });
      await waitFor("my.cnf restored", 20_000, async () => {
        const cm = (await c.client.get(cmRef)) as (KObject & { data: Record<string, string> }) | undefined;
        return cm?.data["chatcluster.cnf"]?.includes("[mysqld]");
      });
      await waitReady(c, ns, "chat");
    });
  });

  it("changing the version rolls the Deployments with zero unavailable and reports it", async () => {
    await withCluster("upgrade", { roles: { gateway: { replicas: 2 } } }, async (ns) => {
      const dRef = { apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "chat-gateway" };
      const d = (await c.client.get(dRef)) as KObject & {
        spec: { strategy: { rollingUpdate: { maxUnavailable: number } } };
      };
      expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      expect((await getCC(c, ns, "chat"))?.status).toMatchObject({ version: "0.1.0" });
      await c.client.mergePatch(
        { apiVersion: CC, kind: "ChatCluster", namespace: ns, name: "chat" },
        { spec: { version: "0.2.0" } },
      );
      const seen = new Set<string>();
      await waitFor("rollout to 0.2.0 done", 60_000, async () => {
        const cc = await getCC(c, ns, "chat");
        if (cc?.status?.phase) seen.add(cc.status.phase);
        const dep = (await c.client.get(dRef)) as KObject & {
          spec: { template: { spec: { containers: { image: string }[] } } };
          status?: { availableReplicas?: number };
        };
        // never below the wanted replicas while rolling
        expect(dep.status?.availableReplicas ?? 2).toBeGreaterThanOrEqual(2);
        return (cc as { status?: { version?: string } } | undefined)?.status?.version === "0.2.0" &&
          dep.spec.template.spec.containers[0]?.image.endsWith(":0.2.0")
          ? cc
          : undefined;
      });
      expect(seen.has("Ready")).toBe(true);
    });
  });

  for (const policy of ["Retain", "Delete"] as const) {
    it(`deletionPolicy ${policy}: volumes and credentials ${policy === "Retain" ? "kept" : "removed"}`, async () => {
      const ns = await createNamespace(c, `del-${policy.toLowerCase()}`);
      const op = await startOperator(c, ns);
      try {
        await c.client.apply({
          apiVersion: CC,
          kind: "ChatCluster",
          metadata: { name: "chat", namespace: ns },
          spec: { deletionPolicy: policy },
        });
        await waitReady(c, ns, "chat");
        const pvcs = async () =>
          (
            await c.client.list("v1", "PersistentVolumeClaim", ns, "chat.chatcluster.io/cluster=chat")
          ).items.filter((p) => !p.metadata.deletionTimestamp);
        await waitFor("5 PVCs", 30_000, async () => (await pvcs()).length === 5);
        await c.client.delete({ apiVersion: CC, kind: "ChatCluster", namespace: ns, name: "chat" });
        await waitFor("ChatCluster gone", 30_000, async () => (await getCC(c, ns, "chat")) === undefined);
        const secret = () =>
          c.client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: "chat-credentials" });
        if (policy === "Retain") {
          expect(await pvcs()).toHaveLength(5);
          expect(await secret()).toBeDefined();
        } else {
          expect(await pvcs()).toHaveLength(0);
          expect(await secret()).toBeUndefined();
        }
        // the garbage collector removes the owned workloads either way
        await waitFor(
          "StatefulSets collected",
          60_000,
          async () => (await c.client.list("apps/v1", "StatefulSet", ns)).items.length === 0,
        );
      } finally {
        await op.stop();
        await deleteNamespace(c, ns);
      }
    });
  }
});
