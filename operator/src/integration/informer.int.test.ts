// The informer against the real API server: a watch from a resourceVersion older than the apiserver's watch
// cache gets 410 Gone ("too old resource version") and the informer re-lists, then keeps the store current.
// The kind is ChatCluster on purpose: a custom resource's watch cache starts when its CRD is established,
// so revision 2 is always older than its window, on a cluster of any age. (A built-in kind's cache starts
// with the apiserver, and on a cluster younger than one etcd compaction revision 2 is still served.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Informer } from "../controller/informer.js";
import type { WatchSource } from "../kube/client.js";
import type { KObject } from "../kube/resources.js";
import {
  type Conn,
  connect,
  createNamespace,
  deleteNamespace,
  ensureCRD,
  loadSample,
  waitFor,
} from "./harness.js";

const API = "chat.chatcluster.io/v1alpha1";
let c: Conn;
let ns: string;
beforeAll(async () => {
  c = await connect();
  await ensureCRD(c);
  ns = await createNamespace(c, "informer");
});
afterAll(async () => {
  if (ns) await deleteNamespace(c, ns);
  c?.http.close();
});

const chatCluster = (name: string): KObject => {
  const o = loadSample("chatcluster-minimal.yaml");
  return { ...o, metadata: { name, namespace: ns } };
};

describe("Informer on the real API server", () => {
  it("re-lists after 410 Gone and then follows changes", async () => {
    let first = true;
    const source: WatchSource = {
      list: (...a) => c.client.list(...a),
      watch: (apiVersion, kind, opts, onEvent, signal) => {
        // the first watch starts from a revision older than the watch cache's window
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
    await c.client.create(chatCluster("before"));
    const inf = new Informer(
      source,
      API,
      "ChatCluster",
      { namespace: ns },
      { onAdd: (o) => added.push(o.metadata.name ?? "") },
    );
    inf.start();
    try {
      await inf.waitForSync();
      await waitFor("a re-list after 410", 10_000, async () => inf.lists >= 2);
      await c.client.create(chatCluster("after"));
      await waitFor("the new ChatCluster in the store", 10_000, async () => inf.get(ns, "after"));
      expect(added).toContain("before");
      expect(added).toContain("after");
      expect(inf.lists).toBe(2);
    } finally {
      await inf.stop();
    }
  });
});
