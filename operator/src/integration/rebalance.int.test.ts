// The rebalance phase's wiring on the real API server (the full loop with a platform is rebalance-e2e): the
// CRD takes the rebalance policy, an unreachable platform shows as a condition and a Warning Event without
// a write loop, DryRun never asks for shards, and switching to Disabled settles to zero writes.
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KObject } from "../kube/resources.js";
import {
  type Conn,
  connect,
  createNamespace,
  dataPlane,
  deleteNamespace,
  ensureCRD,
  getCC,
  startOperator,
  waitFor,
  waitReady,
} from "./harness.js";

const CC = "chat.chatcluster.io/v1alpha1";
let c: Conn;
beforeAll(async () => {
  c = await connect();
  await ensureCRD(c);
});
afterAll(() => c?.http.close());

const closedPort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });

type Cond = { type: string; status: string; reason: string; message: string };

describe("rebalance wiring", () => {
  it("DryRun with an unreachable platform: PlatformUnavailable, a Warning, no shard asked for, no write loop; Disabled settles", async () => {
    const ns = await createNamespace(c, "rebal-wire");
    const adminUrl = `http://127.0.0.1:${await closedPort()}`;
    const op = await startOperator(c, ns, 2, { adminUrl });
    try {
      await c.client.apply({
        apiVersion: CC,
        kind: "ChatCluster",
        metadata: { name: "chat", namespace: ns },
        spec: {
          mysql: { shards: 2, maxShards: 3 },
          sharding: {
            rebalance: {
              mode: "DryRun",
              prometheus: { url: dataPlane().prometheusUrl, selector: `job="none-${ns}"`, window: "30s" },
              interval: "5s",
            },
          },
        },
      } as unknown as KObject);
      await waitReady(c, ns, "chat");
      const cond = await waitFor("Rebalancing=PlatformUnavailable", 30_000, async () => {
        const cc = (await getCC(c, ns, "chat")) as { status?: { conditions?: Cond[] } } | undefined;
        const r = cc?.status?.conditions?.find((x) => x.type === "Rebalancing");
        return r?.reason === "PlatformUnavailable" ? r : undefined;
      });
      expect(cond.status).toBe("False");
      expect(cond.message).toContain(`cannot reach the platform at ${adminUrl}: ECONNREFUSED`);
      await waitFor("a RebalanceUnavailable Warning", 10_000, async () =>
        (await c.client.list("events.k8s.io/v1", "Event", ns)).items.some(
          (e) => (e as { reason?: string; type?: string }).reason === "RebalanceUnavailable",
        ),
      );

      // Retries keep failing the same way: backoff, no status write per attempt, no Event storm.
      const from = op.writes.length;
      await new Promise((r) => setTimeout(r, 12_000));
      const writes = op.writes.slice(from);
      expect(writes.filter((w) => w.kind === "ChatCluster").length).toBeLessThanOrEqual(1);
      expect(writes.filter((w) => w.kind === "Event").length).toBeLessThanOrEqual(1);
      const cc = (await getCC(c, ns, "chat")) as { status?: { rebalance?: { desiredShards?: number } } };
      expect(cc.status?.rebalance?.desiredShards).toBeUndefined();
      expect(op.controller.queue.limiter.numRequeues(`${ns}/chat`)).toBe(0);

      // Disabled: the condition says so, then an unchanged cluster gets zero writes.
      await c.client.mergePatch(
        { apiVersion: CC, kind: "ChatCluster", namespace: ns, name: "chat" },
        { spec: { sharding: { rebalance: { mode: "Disabled" } } } },
      );
      await waitFor("Rebalancing=RebalanceDisabled", 20_000, async () => {
        const now = (await getCC(c, ns, "chat")) as { status?: { conditions?: Cond[] } } | undefined;
        return now?.status?.conditions?.find((x) => x.type === "Rebalancing")?.reason === "RebalanceDisabled";
      });
      await new Promise((r) => setTimeout(r, 2_000));
      const before = op.writes.length;
      for (let i = 0; i < 3; i++) {
        op.controller.queue.add(`${ns}/chat`);
        await op.reconciled(`${ns}/chat`);
      }
      expect(op.writes.slice(before)).toEqual([]);
    } finally {
      await op.stop();
      await deleteNamespace(c, ns);
    }
  });
});
