import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ChatCluster } from "../api/index.js";
import type { KObject } from "../kube/resources.js";
import { FakeKube, newChatCluster } from "../testing/fake.js";
import { Controller } from "./controller.js";
import { OperatorMetrics } from "./metrics.js";
import { RateLimiter } from "./queue.js";

const CC = "chat.chatcluster.io/v1alpha1";

async function until(what: string, fn: () => boolean, ms = 3000) {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("Controller", () => {
  it("reconciles what the informers list; an error sets Degraded (ReconcileError) and retries with backoff", async () => {
    const fake = new FakeKube();
    fake.seed(newChatCluster() as unknown as KObject);
    const metrics = new OperatorMetrics();
    const outcomes: string[] = [];
    const c = new Controller(fake, metrics, pino({ level: "silent" }), {
      identity: "t",
      workers: 2,
      rateLimiter: new RateLimiter({ baseDelayMs: 20, maxDelayMs: 100 }),
      onReconciled: (key, err) => outcomes.push(err ? `error ${key}` : `ok ${key}`),
    });
    const cc = () => fake.get(CC, "ChatCluster", "ns", "chat") as unknown as ChatCluster;
    // the first StatefulSet apply fails once
    const apply = fake.apply.bind(fake);
    let failures = 1;
    fake.apply = async (o, sub) => {
      if (o.kind === "StatefulSet" && failures-- > 0) throw new Error("etcd is on fire");
      return apply(o, sub);
    };
    await c.start();
    try {
      await until(
        "an error then a success",
        () => outcomes.includes("error ns/chat") && outcomes.includes("ok ns/chat"),
      );
      expect(outcomes[0]).toBe("error ns/chat");
      expect(fake.kinds()).toContain("StatefulSet/chat-shard-1");
      const reconciles = await metrics.reconciles.get();
      expect(reconciles.values.find((v) => v.labels.result === "error")?.value).toBe(1);
      // Degraded was reported with the error, then cleared by the successful reconcile
      const degraded = cc().status?.conditions?.find((x) => x.type === "Degraded");
      expect(degraded).toMatchObject({ status: "False", reason: "Reconciled" });
      expect(fake.writes.some((w) => w.kind === "Event")).toBe(true);
    } finally {
      await c.stop();
    }
  });

  it("maps a child back to its ChatCluster through the owner reference", async () => {
    const fake = new FakeKube();
    fake.seed(newChatCluster() as unknown as KObject);
    const seen: string[] = [];
    const c = new Controller(fake, new OperatorMetrics(), pino({ level: "silent" }), {
      identity: "t",
      onReconciled: (key) => seen.push(key),
    });
    await c.start();
    try {
      await until("first reconcile", () => seen.length >= 1);
      const before = seen.length;
      const informer = c.informers.get("apps/v1/StatefulSet");
      const sts = fake.get("apps/v1", "StatefulSet", "ns", "chat-catalog");
      expect(sts).toBeDefined();
      // simulate the watch event of a child
      (informer as unknown as { onEvent(t: string, o: unknown): void }).onEvent("MODIFIED", sts);
      await until("a reconcile for the owner", () => seen.length > before);
      expect(seen.at(-1)).toBe("ns/chat");
    } finally {
      await c.stop();
    }
  });
});
