import { describe, expect, it } from "vitest";
import type { ListResult, WatchSource } from "../kube/client.js";
import type { WatchEvent } from "../kube/http.js";
import type { KObject } from "../kube/resources.js";
import { Informer } from "./informer.js";

const obj = (name: string, rv: string): KObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "n", resourceVersion: rv },
});

type WatchScript = (emit: (e: WatchEvent) => void, rv: string) => Promise<void>;

class ScriptedSource implements WatchSource {
  lists: ListResult[] = [];
  watches: WatchScript[] = [];
  watchRVs: string[] = [];
  async list(): Promise<ListResult> {
    const l = this.lists.shift();
    if (!l) throw new Error("no more lists");
    return l;
  }
  async watch(
    _a: string,
    _k: string,
    opts: { resourceVersion: string },
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.watchRVs.push(opts.resourceVersion);
    const w = this.watches.shift();
    if (!w) {
      // block until stopped
      await new Promise<void>((r) => signal.addEventListener("abort", () => r()));
      return;
    }
    await w(onEvent, opts.resourceVersion);
  }
}

const noSleep = async () => {};

describe("Informer", () => {
  it("lists, then applies watch events to the store and handlers", async () => {
    const src = new ScriptedSource();
    src.lists.push({ items: [obj("a", "1")], resourceVersion: "10" });
    src.watches.push(async (emit) => {
      emit({ type: "ADDED", object: obj("b", "11") as never });
      emit({ type: "MODIFIED", object: obj("a", "12") as never });
      emit({ type: "DELETED", object: obj("b", "13") as never });
    });
    const events: string[] = [];
    const inf = new Informer(
      src,
      "v1",
      "ConfigMap",
      {},
      {
        onAdd: (o) => events.push(`add ${o.metadata.name}`),
        onUpdate: (o) => events.push(`update ${o.metadata.name}`),
        onDelete: (o) => events.push(`delete ${o.metadata.name}`),
      },
      undefined,
      noSleep,
    );
    inf.start();
    await inf.waitForSync();
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(["add a", "add b", "update a", "delete b"]);
    expect(inf.get("n", "a")?.metadata.resourceVersion).toBe("12");
    expect(inf.list("n").length).toBe(1);
    // the second watch resumes from the last seen resourceVersion
    expect(src.watchRVs).toEqual(["10", "13"]);
    await inf.stop();
  });

  it("re-lists on 410 Gone and reports what changed meanwhile", async () => {
    const src = new ScriptedSource();
    src.lists.push({ items: [obj("a", "1"), obj("b", "2")], resourceVersion: "10" });
    src.lists.push({ items: [obj("a", "5"), obj("c", "6")], resourceVersion: "20" });
    src.watches.push(async (emit) => {
      emit({ type: "ERROR", object: { kind: "Status", code: 410, message: "too old resource version" } });
    });
    const events: string[] = [];
    const inf = new Informer(
      src,
      "v1",
      "ConfigMap",
      {},
      {
        onAdd: (o) => events.push(`add ${o.metadata.name}`),
        onUpdate: (o) => events.push(`update ${o.metadata.name}`),
        onDelete: (o) => events.push(`delete ${o.metadata.name}`),
      },
      undefined,
      noSleep,
    );
    inf.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(inf.lists).toBe(2);
    expect(events).toEqual(["add a", "add b", "update a", "add c", "delete b"]);
    expect(src.watchRVs).toEqual(["10", "20"]);
    await inf.stop();
  });

  it("restarts a failed watch with growing backoff", async () => {
    const src = new ScriptedSource();
    src.lists.push({ items: [], resourceVersion: "1" });
    src.lists.push({ items: [], resourceVersion: "2" });
    const fail = async () => {
      throw new Error("connection reset");
    };
    src.watches.push(fail, fail, fail);
    const delays: number[] = [];
    const inf = new Informer(
      src,
      "v1",
      "ConfigMap",
      { backoffBaseMs: 100, backoffMaxMs: 250 },
      {},
      undefined,
      async (ms) => {
        delays.push(ms);
      },
    );
    inf.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(delays).toEqual([100, 200, 250]);
    // after three failures it starts over from a fresh list
    expect(inf.lists).toBe(2);
    await inf.stop();
  });
});
