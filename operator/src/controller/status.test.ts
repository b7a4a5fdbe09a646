import { describe, expect, it } from "vitest";
import { type ChatCluster, withDefaults } from "../api/index.js";
import type { KubeClient } from "../kube/client.js";
import { ConditionType, Reason } from "./conditions.js";
import { patchStatus, setCondition } from "./status.js";

describe("setCondition", () => {
  it("moves lastTransitionTime only when the status flips, and stamps observedGeneration", () => {
    const s = {};
    const t1 = new Date("2026-01-01T00:00:00Z");
    const t2 = new Date("2026-01-01T00:05:00Z");
    const t3 = new Date("2026-01-01T00:09:00Z");
    setCondition(
      s,
      { type: ConditionType.Ready, status: "False", reason: Reason.Provisioning, message: "a" },
      1,
      t1,
    );
    setCondition(
      s,
      { type: ConditionType.Ready, status: "False", reason: Reason.ComponentsNotReady, message: "b" },
      2,
      t2,
    );
    expect((s as { conditions: unknown[] }).conditions).toEqual([
      {
        type: "Ready",
        status: "False",
        reason: "ComponentsNotReady",
        message: "b",
        observedGeneration: 2,
        lastTransitionTime: "2026-01-01T00:00:00Z",
      },
    ]);
    setCondition(
      s,
      { type: ConditionType.Ready, status: "True", reason: Reason.AllComponentsReady, message: "" },
      2,
      t3,
    );
    expect((s as { conditions: { lastTransitionTime: string }[] }).conditions[0]?.lastTransitionTime).toBe(
      "2026-01-01T00:09:00Z",
    );
  });
});

describe("patchStatus", () => {
  const cc = (): ChatCluster =>
    withDefaults({
      apiVersion: "chat.chatcluster.io/v1alpha1",
      kind: "ChatCluster",
      metadata: { name: "c", namespace: "n" },
      spec: {},
      status: { phase: "Provisioning", ready: "0/7" },
    } as never);
  const client = () => {
    const calls: unknown[] = [];
    const c = {
      mergePatch: async (_ref: unknown, patch: unknown, sub: unknown) => {
        calls.push({ patch, sub });
        return {};
      },
    } as unknown as KubeClient;
    return { c, calls };
  };

  it("writes nothing when the status is unchanged", async () => {
    const { c, calls } = client();
    const res = await patchStatus(c, cc(), (s) => {
      s.phase = "Provisioning";
    });
    expect(res).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it("sends only the difference to the status subresource", async () => {
    const { c, calls } = client();
    const obj = cc();
    await patchStatus(c, obj, (s) => {
      s.phase = "Ready";
      s.ready = undefined;
    });
    expect(calls).toEqual([{ patch: { status: { phase: "Ready", ready: null } }, sub: "status" }]);
    expect(obj.status?.phase).toBe("Ready");
  });
});
