// In-memory reconcile benchmark (no API server): the operator's own cost per reconcile for N ChatClusters
// (default 100) against testing/fake.ts — first provisioning, then steady-state no-op reconciles.
// Run: npx tsx operator/src/bench/reconcile-bench.ts
import type { ChatCluster } from "../api/index.js";
import { reconcile } from "../controller/reconcile.js";
import type { KObject } from "../kube/resources.js";
import { PHASES } from "../reconcile/index.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";

const N = Number(process.env.BENCH_CLUSTERS ?? 100);
const fake = new FakeKube();
const names = Array.from({ length: N }, (_, i) => `c${i}`);
for (const n of names) fake.seed(newChatCluster({ mysql: { shards: 4 } }, n) as unknown as KObject);
const get = (n: string) =>
  fake.get("chat.chatcluster.io/v1alpha1", "ChatCluster", "ns", n) as unknown as ChatCluster;

let t0 = performance.now();
for (const n of names) await reconcile(get(n), deps(fake), PHASES);
const provision = performance.now() - t0;
const provisionWrites = fake.writes.length;
fake.makeAllReady();
for (const n of names) await reconcile(get(n), deps(fake), PHASES);
fake.resetWrites();
const rounds = 5;
t0 = performance.now();
for (let r = 0; r < rounds; r++) for (const n of names) await reconcile(get(n), deps(fake), PHASES);
const steady = performance.now() - t0;
console.log(`${N} ChatClusters (4 shards each), in-memory API`);
console.log(
  `  provisioning reconciles/s   ${((N / provision) * 1000).toFixed(0)}  (${provisionWrites} writes, ${(provisionWrites / N).toFixed(1)} per cluster)`,
);
console.log(`  steady-state reconciles/s   ${(((N * rounds) / steady) * 1000).toFixed(0)}`);
console.log(`  writes per steady reconcile ${fake.writes.length / (N * rounds)}`);
