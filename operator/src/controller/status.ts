// Status is written in exactly one place: patchStatus. Conditions change through setCondition only.
import type { ChatCluster, ChatClusterStatus, ChatClusterStatusCondition } from "../api/index.js";
import type { KubeClient } from "../kube/client.js";
import { mergePatchDiff } from "../kube/compare.js";
import type { KObject } from "../kube/resources.js";
import type { ConditionType, Reason } from "./conditions.js";

export interface ConditionInput {
  type: ConditionType;
  status: "True" | "False" | "Unknown";
  reason: Reason;
  message: string;
}

/**
 * Sets one condition in place: lastTransitionTime moves only when the status flips; reason, message and
 * observedGeneration are refreshed every time.
 */
export function setCondition(
  status: ChatClusterStatus,
  c: ConditionInput,
  generation: number,
  now: Date,
): void {
  status.conditions ??= [];
  const list = status.conditions;
  const cur = list.find((x) => x.type === c.type);
  const next: ChatClusterStatusCondition = {
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message,
    observedGeneration: generation,
    lastTransitionTime:
      cur && cur.status === c.status ? cur.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
  if (cur) Object.assign(cur, next);
  else list.push(next);
}

export function getCondition(cc: { status?: ChatClusterStatus }, type: ConditionType) {
  return cc.status?.conditions?.find((c) => c.type === type);
}

/**
 * Applies tx to a copy of the status and, only if something changed, sends the difference as a merge
 * patch to the status subresource. Returns the updated object, or undefined when nothing was written.
 */
export async function patchStatus(
  client: KubeClient,
  cc: ChatCluster,
  tx: (s: ChatClusterStatus) => void,
): Promise<ChatCluster | undefined> {
  const before = structuredClone(cc.status ?? {});
  const after = structuredClone(before);
  tx(after);
  const diff = mergePatchDiff(before, after) as Record<string, unknown>;
  if (Object.keys(diff).length === 0) return undefined;
  const updated = await client.mergePatch(
    {
      apiVersion: cc.apiVersion,
      kind: cc.kind,
      namespace: cc.metadata.namespace,
      name: cc.metadata.name ?? "",
    },
    { status: diff },
    "status",
  );
  cc.status = after;
  return updated as unknown as ChatCluster;
}

export type { KObject };
