import { describe, expect, it } from "vitest";
import type { KubeClient } from "../kube/client.js";
import type { KObject } from "../kube/resources.js";
import { EventReason } from "./conditions.js";
import { KubeRecorder } from "./events.js";

const cc: KObject = {
  apiVersion: "chat.chatcluster.io/v1alpha1",
  kind: "ChatCluster",
  metadata: { name: "chat", namespace: "ns", uid: "u1" },
};

describe("KubeRecorder", () => {
  it("creates an events.k8s.io/v1 Event about the object, once per five minutes per message", async () => {
    const created: KObject[] = [];
    const create = async (o: KObject) => {
      created.push(o);
      return o;
    };
    const client = { create } as unknown as KubeClient;
    let t = 0;
    const r = new KubeRecorder(client, "op-1", undefined, () => t);
    r.event(cc, "Normal", EventReason.ShardAdded, "added shard 2");
    r.event(cc, "Normal", EventReason.ShardAdded, "added shard 2");
    t = 301_000;
    r.event(cc, "Normal", EventReason.ShardAdded, "added shard 2");
    await new Promise((res) => setTimeout(res, 1));
    expect(created).toHaveLength(2);
    expect(created[0]).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { generateName: "chat-", namespace: "ns" },
      type: "Normal",
      reason: "ShardAdded",
      note: "added shard 2",
      reportingController: "chat.chatcluster.io/operator",
      reportingInstance: "op-1",
      regarding: { kind: "ChatCluster", name: "chat", uid: "u1" },
    });
  });

  it("never throws when the API refuses an event", async () => {
    const client = { create: async () => Promise.reject(new Error("nope")) } as unknown as KubeClient;
    const r = new KubeRecorder(client, "op-1");
    expect(() => r.event(cc, "Warning", EventReason.ReconcileError, "x")).not.toThrow();
    await new Promise((res) => setTimeout(res, 1));
  });
});
