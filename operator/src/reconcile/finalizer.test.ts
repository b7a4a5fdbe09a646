import { describe, expect, it } from "vitest";
import type { ChatCluster } from "../api/index.js";
import { ReconcileContext } from "../controller/reconcile.js";
import type { KObject } from "../kube/resources.js";
import { FINALIZER } from "../specs/common.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { finalizerPhase } from "./finalizer.js";

const CC = { apiVersion: "chat.chatcluster.io/v1alpha1", kind: "ChatCluster", namespace: "ns", name: "chat" };

function setup(spec: Record<string, unknown> = {}) {
  const fake = new FakeKube();
  fake.seed(newChatCluster(spec) as unknown as KObject);
  const pvc = (name: string, cluster: string) =>
    fake.seed({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name, namespace: "ns", labels: { "chat.chatcluster.io/cluster": cluster } },
    });
  pvc("data-chat-shard-0-0", "chat");
  pvc("data-chat-catalog-0", "chat");
  pvc("data-other-0", "other");
  fake.seed({ apiVersion: "v1", kind: "Secret", metadata: { name: "chat-credentials", namespace: "ns" } });
  const get = () => fake.get(CC.apiVersion, CC.kind, "ns", "chat") as unknown as ChatCluster;
  return { fake, get };
}

async function markDeleted(fake: FakeKube, get: () => ChatCluster) {
  await finalizerPhase.run(new ReconcileContext(get(), deps(fake)));
  await fake.delete(CC);
}

describe("finalizer phase", () => {
  it("adds the finalizer with an optimistic (resourceVersion) patch and continues", async () => {
    const { fake, get } = setup();
    const res = await finalizerPhase.run(new ReconcileContext(get(), deps(fake)));
    expect(res.kind).toBe("continue");
    expect(get().metadata.finalizers).toEqual([FINALIZER]);
    fake.resetWrites();
    await finalizerPhase.run(new ReconcileContext(get(), deps(fake)));
    expect(fake.writes).toEqual([]);
  });

  it("Retain: keeps PVCs and credentials, removes the finalizer, stops", async () => {
    const { fake, get } = setup();
    await markDeleted(fake, get);
    const d = deps(fake);
    const res = await finalizerPhase.run(new ReconcileContext(get(), d));
    expect(res.kind).toBe("stop");
    expect(fake.get(CC.apiVersion, CC.kind, "ns", "chat")).toBeUndefined();
    expect(fake.kinds().filter((k) => k.startsWith("PersistentVolumeClaim"))).toHaveLength(3);
    expect(fake.get("v1", "Secret", "ns", "chat-credentials")).toBeDefined();
    expect(d.recorder.events.map((e) => e.reason)).toEqual(["VolumesRetained"]);
    expect(fake.writes.map((w) => `${w.verb} ${w.kind}`)).toContain("patch ChatCluster");
  });

  it("Delete: deletes this cluster's PVCs (only) and the credentials", async () => {
    const { fake, get } = setup({ deletionPolicy: "Delete" });
    await markDeleted(fake, get);
    const d = deps(fake);
    await finalizerPhase.run(new ReconcileContext(get(), d));
    expect(fake.kinds().filter((k) => k.startsWith("PersistentVolumeClaim"))).toEqual([
      "PersistentVolumeClaim/data-other-0",
    ]);
    expect(fake.get("v1", "Secret", "ns", "chat-credentials")).toBeUndefined();
    expect(d.recorder.events.map((e) => e.reason)).toEqual(["VolumesDeleted"]);
  });
});
