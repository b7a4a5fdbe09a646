// Two operator processes with Lease leader election: only the leader writes; killing it hands over within
// the lease duration; a graceful stop hands over at once; killing the operator mid-reconcile and starting
// it again converges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withDefaults } from "../api/index.js";
import type { KObject } from "../kube/resources.js";
import { desiredObjects } from "../specs/index.js";
import {
  type Conn,
  connect,
  createNamespace,
  deleteNamespace,
  ensureCRD,
  loadSample,
  type OperatorProcess,
  spawnOperator,
  waitFor,
  waitReady,
} from "./harness.js";

const FAST_LEASE = { LEASE_DURATION_SECONDS: "4", RENEW_DEADLINE_SECONDS: "3", RETRY_PERIOD_SECONDS: "1" };
const CC = "chat.chatcluster.io/v1alpha1";

let c: Conn;
beforeAll(async () => {
  c = await connect();
  await ensureCRD(c);
});
afterAll(() => c?.http.close());

async function holder(ns: string): Promise<string | undefined> {
  const l = (await c.client.get({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespace: ns,
    name: "chatcluster-operator",
  })) as (KObject & { spec?: { holderIdentity?: string } }) | undefined;
  return l?.spec?.holderIdentity || undefined;
}

const nonLeaseWrites = (p: OperatorProcess) =>
  p.metric("chatcluster_operator_api_writes_total", (l) => !l.includes('kind="Lease"'));

async function stopAll(ps: OperatorProcess[]) {
  for (const p of ps) {
    if (p.proc.exitCode === null) {
      p.proc.kill("SIGKILL");
      await p.exited;
    }
  }
}

describe("high availability", () => {
  it("killing the leader hands over within the lease duration; only the leader writes", async () => {
    const ns = await createNamespace(c, "ha");
    const procs: OperatorProcess[] = [];
    try {
      procs.push(await spawnOperator("op-a", ns, FAST_LEASE));
      const first = await waitFor("a leader", 20_000, () => holder(ns));
      procs.push(await spawnOperator("op-b", ns, FAST_LEASE));
      const leader = procs.find((p) => first.startsWith(`${p.name}_`));
      const standby = procs.find((p) => p !== leader);
      if (!leader || !standby) throw new Error(`unexpected holder ${first}`);

      const sample = loadSample("chatcluster-minimal.yaml");
      sample.metadata = { name: "chat", namespace: ns };
      await c.client.apply(sample);
      await waitReady(c, ns, "chat");
      expect(await nonLeaseWrites(leader)).toBeGreaterThan(10);
      expect(await nonLeaseWrites(standby)).toBe(0);
      expect(await standby.metric("chatcluster_operator_leader")).toBe(0);

      const t0 = Date.now();
      leader.proc.kill("SIGKILL");
      await leader.exited;
      const next = await waitFor("the standby to take the lease", 15_000, async () => {
        const h = await holder(ns);
        return h?.startsWith(`${standby.name}_`) ? h : undefined;
      });
      const handoverMs = Date.now() - t0;
      console.log(`leader handover after SIGKILL: ${handoverMs} ms (lease 4 s)`);
      expect(next).toBeDefined();
      expect(handoverMs).toBeLessThan(4_000 + 3_000);

      // the new leader reconciles: raise shards
      await c.client.mergePatch(
        { apiVersion: CC, kind: "ChatCluster", namespace: ns, name: "chat" },
        {
          spec: { mysql: { shards: 3 } },
        },
      );
      await waitFor("chat-shard-2 from the new leader", 30_000, () =>
        c.client.get({ apiVersion: "apps/v1", kind: "StatefulSet", namespace: ns, name: "chat-shard-2" }),
      );
      await waitReady(c, ns, "chat");
      expect(await nonLeaseWrites(standby)).toBeGreaterThan(0);
    } finally {
      await stopAll(procs);
      await deleteNamespace(c, ns);
    }
  }, 120_000);

  it("a gracefully stopped leader releases the lease: the standby takes over at once", async () => {
    const ns = await createNamespace(c, "ha-term");
    const procs: OperatorProcess[] = [];
    try {
      procs.push(await spawnOperator("op-a", ns, { ...FAST_LEASE, LEASE_DURATION_SECONDS: "30" }));
      await waitFor("op-a leads", 20_000, async () => (await holder(ns))?.startsWith("op-a_"));
      procs.push(await spawnOperator("op-b", ns, { ...FAST_LEASE, LEASE_DURATION_SECONDS: "30" }));
      const t0 = Date.now();
      procs[0]?.proc.kill("SIGTERM");
      expect(await procs[0]?.exited).toBe(0);
      await waitFor("op-b leads", 10_000, async () => (await holder(ns))?.startsWith("op-b_"));
      const ms = Date.now() - t0;
      console.log(`leader handover after SIGTERM: ${ms} ms (lease 30 s)`);
      expect(ms).toBeLessThan(10_000);
    } finally {
      await stopAll(procs);
      await deleteNamespace(c, ns);
    }
  }, 90_000);

  it("killing the operator mid-reconcile and starting it again converges", async () => {
    const ns = await createNamespace(c, "kill");
    const procs: OperatorProcess[] = [];
    try {
      const sample = loadSample("chatcluster-large.yaml");
      sample.metadata = { name: "big", namespace: ns };
      await c.client.apply(sample);
      const env = { LEADER_ELECT: "false" };
      const first = await spawnOperator("op-1", ns, env);
      procs.push(first);
      // kill it while it is half-way through creating the children
      // poll tightly: kill right after the first StatefulSet write, well before all 19 exist
      const t0 = Date.now();
      while (
        (await first.metric("chatcluster_operator_api_writes_total", (l) =>
          l.includes('kind="StatefulSet"'),
        )) < 1
      ) {
        if (Date.now() - t0 > 30_000) throw new Error(`no StatefulSet written: ${first.log()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      first.proc.kill("SIGKILL");
      await first.exited;
      const sts = (await c.client.list("apps/v1", "StatefulSet", ns)).items.length;
      console.log(`killed after ${sts} of 19 StatefulSets`);
      expect(sts).toBeLessThan(19);
      const second = await spawnOperator("op-2", ns, env);
      procs.push(second);
      const live = await waitReady(c, ns, "big", 100_000);
      for (const d of desiredObjects(withDefaults(live))) {
        const o = await c.client.get({
          apiVersion: d.apiVersion,
          kind: d.kind,
          namespace: ns,
          name: d.metadata.name ?? "",
        });
        expect(o, `${d.kind}/${d.metadata.name}`).toBeDefined();
      }
      // and it is quiet afterwards
      const w = await nonLeaseWrites(second);
      await new Promise((r) => setTimeout(r, 3000));
      expect(await nonLeaseWrites(second)).toBe(w);
    } finally {
      await stopAll(procs);
      await deleteNamespace(c, ns);
    }
  }, 150_000);
});
