// The informer against the real API server: a watch from a compacted resourceVersion gets 410 Gone
// ("too old resource version") and the informer re-lists, then keeps the store current.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Informer } from "../controller/informer.js";
import type { WatchSource } from "../kube/client.js";
import { type Conn, connect, createNamespace, deleteNamespace, waitFor } from "./harness.js";

let c: Conn;
let ns: string;
beforeAll(async () => {
  c = await connect();
  ns = await createNamespace(c, "informer");
});
afterAll(async () => {
  if (ns) await deleteNamespace(c, ns);
  c?.http.close();
});

describe("Informer on the real API server", () => {
  it("re-lists after 410 Gone and then follows changes", async () => {
    let first = true;
    const source: WatchSource = {
      list: (...a) => c.client.list(...a),
      watch: (apiVersion, kind, opts, onEvent, signal) => {
        // the first watch starts from a long-compacted revision
        const rv = first ? "2" : opts.resourceVersion;
        first = false;
        return c.client.watch(
          apiVersion,
          kind,
          { ...opts, resourceVersion: rv, timeoutSeconds: 30 },
          onEvent,
          signal,
        );
      },
    };
    const added: string[] = [];
    await c.client.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "before", namespace: ns },
    });
    const inf = new Informer(
      source,
      "v1",
      "ConfigMap",
      { namespace: ns },
      { onAdd: (o) => added.push(o.metadata.name ?? "") },
    );
    inf.start();
    try {
      await inf.waitForSync();
      await waitFor("a re-list after 410", 10_000, async () => inf.lists >= 2);
      await c.client.create({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "after", namespace: ns },
      });
      await waitFor("the new ConfigMap in the store", 10_000, async () => inf.get(ns, "after"));
      expect(added).toContain("before");
      expect(added).toContain("after");
      expect(inf.lists).toBe(2);
    } finally {
      await inf.stop();
    }
  });
});
