// Operator benchmark against the real local control plane (`make cluster-up`). Prints:
//   1. time from apply to Ready for a 16-shard ChatCluster, and the writes it took;
//   2. for N ChatClusters (default 50): time until every child exists, reconciles/s, API writes, time to Ready;
//   3. writes per steady-state reconcile (must be 0) and the no-op reconcile rate.
// Run: npm run -w operator bench            (BENCH_CLUSTERS=50 by default)
// Each ChatCluster has 4 ClusterIP Services (gateway, realtime, worker, redis); the local control plane's
// --service-cluster-ip-range is a /24 (254 addresses), so 100 clusters do not fit there: use a wider range.
import { type ChatCluster, withDefaults } from "../api/index.js";
import {
  connect,
  createNamespace,
  deleteNamespace,
  ensureCRD,
  getCC,
  startOperator,
  waitFor,
  waitReady,
} from "../integration/harness.js";
import { desiredObjects } from "../specs/index.js";

const N = Number(process.env.BENCH_CLUSTERS ?? 50);
const CC = "chat.chatcluster.io/v1alpha1";
const c = await connect();
await ensureCRD(c);
const ns = await createNamespace(c, "bench");
const op = await startOperator(c, ns, Number(process.env.BENCH_WORKERS ?? 4));
const writes = () => op.writes.filter((w) => w.kind !== "Event").length;
const reconcileCount = () => [...op.reconciles.values()].reduce((a, b) => a + b, 0);
const results: Record<string, string | number> = {};

try {
  // 1. a 16-shard cluster
  let w0 = writes();
  let t0 = performance.now();
  await c.client.apply({
    apiVersion: CC,
    kind: "ChatCluster",
    metadata: { name: "big", namespace: ns },
    spec: { mysql: { shards: 16 } },
  });
  await waitReady(c, ns, "big", 300_000);
  results["16-shard: apply → Ready (s)"] = ((performance.now() - t0) / 1000).toFixed(1);
  results["16-shard: API writes to Ready"] = writes() - w0;

  // 3a. steady state of that cluster
  await new Promise((r) => setTimeout(r, 2000));
  w0 = writes();
  for (let i = 0; i < 20; i++) {
    op.controller.queue.add(`${ns}/big`);
    await op.reconciled(`${ns}/big`);
  }
  results["16-shard: writes per steady-state reconcile"] = (writes() - w0) / 20;

  // 2. N clusters at once
  const names = Array.from({ length: N }, (_, i) => `c${String(i).padStart(3, "0")}`);
  const spec = {
    mysql: { shards: 1 },
    roles: { gateway: { replicas: 1 }, realtime: { replicas: 1 }, worker: { replicas: 1 } },
  };
  w0 = writes();
  const r0 = reconcileCount();
  t0 = performance.now();
  await Promise.all(
    names.map((name) =>
      c.client.apply({ apiVersion: CC, kind: "ChatCluster", metadata: { name, namespace: ns }, spec }),
    ),
  );
  const perCluster = desiredObjects(
    withDefaults({ metadata: { name: "x", namespace: ns }, spec }) as ChatCluster,
  ).length;
  await waitFor("every child object", 600_000, async () => {
    const sts = await c.client.list("apps/v1", "StatefulSet", ns);
    const dep = await c.client.list("apps/v1", "Deployment", ns);
    return sts.items.length + dep.items.length >= N * 7 + 19 + 3;
  });
  const tChildren = (performance.now() - t0) / 1000;
  results[`${N} clusters: objects per cluster`] = perCluster + 1;
  results[`${N} clusters: all children created (s)`] = tChildren.toFixed(1);
  await waitFor(`${N} clusters Ready`, 900_000, async () => {
    const list = await c.client.list(CC, "ChatCluster", ns);
    return (
      list.items.filter((o) => (o as { status?: { phase?: string } }).status?.phase === "Ready").length ===
      N + 1
    );
  });
  const tReady = (performance.now() - t0) / 1000;
  const recs = reconcileCount() - r0;
  results[`${N} clusters: all Ready (s)`] = tReady.toFixed(1);
  results[`${N} clusters: reconciles until Ready`] = recs;
  results[`${N} clusters: reconciles/s (until Ready)`] = (recs / tReady).toFixed(1);
  results[`${N} clusters: API writes until Ready`] = writes() - w0;
  results[`${N} clusters: API writes per cluster`] = ((writes() - w0) / N).toFixed(1);

  // 3b. steady state of all of them
  await new Promise((r) => setTimeout(r, 3000));
  w0 = writes();
  const r1 = reconcileCount();
  t0 = performance.now();
  for (const name of names) op.controller.queue.add(`${ns}/${name}`);
  await waitFor("a no-op reconcile of every cluster", 120_000, async () => reconcileCount() - r1 >= N);
  const tNoop = (performance.now() - t0) / 1000;
  results[`${N} clusters: no-op reconciles/s`] = (N / tNoop).toFixed(0);
  results[`${N} clusters: writes per steady-state reconcile`] = (writes() - w0) / N;
  const big = await getCC(c, ns, "big");
  results["16-shard still Ready"] = String(big?.status?.phase);
} finally {
  await op.stop();
  await deleteNamespace(c, ns);
  c.http.close();
}
const width = Math.max(...Object.keys(results).map((k) => k.length));
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(width)}  ${v}`);
