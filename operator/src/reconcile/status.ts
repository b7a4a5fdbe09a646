// Status: per-component readiness read from the StatefulSets and Deployments, per-shard entries, the
// endpoints, phase and conditions — written through patchStatus only, and only when it changed.
import {
  type ChatClusterStatus,
  type ChatClusterStatusComponent,
  type ChatClusterStatusShard,
  effectiveShards,
} from "../api/index.js";
import { ConditionType, EventReason, Phase, Reason } from "../controller/conditions.js";
import { proceed, type ReconcileContext, type Phase as ReconcilePhase } from "../controller/reconcile.js";
import { patchStatus, setCondition } from "../controller/status.js";
import type { KObject } from "../kube/resources.js";
import { HTTP_PORT, MYSQL_PORT, names, svcHost } from "../specs/common.js";
import { kafkaBootstrap } from "../specs/kafka.js";
import { mysqlEndpoint } from "../specs/mysql.js";
import { platformImage } from "../specs/platform.js";
import { redisEndpoint } from "../specs/redis.js";

interface WorkloadStatus {
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
}

type Workload = KObject & { spec?: { replicas?: number }; status?: WorkloadStatus };

/** Ready: the controller has seen the latest spec, and every wanted replica is updated and ready. */
export function componentOf(desired: KObject, live: Workload | undefined): ChatClusterStatusComponent {
  const want = (desired as Workload).spec?.replicas ?? live?.spec?.replicas ?? 1;
  const st = live?.status ?? {};
  const current = live !== undefined && (st.observedGeneration ?? 0) >= (live.metadata.generation ?? 0);
  const ready = current && (st.readyReplicas ?? 0) >= want && (st.updatedReplicas ?? 0) >= want;
  return {
    name: desired.metadata.name ?? "",
    kind: desired.kind,
    ready,
    replicas: want,
    readyReplicas: st.readyReplicas ?? 0,
    updatedReplicas: st.updatedReplicas ?? 0,
  };
}

export function computeStatus(ctx: ReconcileContext, prev: ChatClusterStatus): ChatClusterStatus {
  const cc = ctx.cc;
  const workloads = ctx.desired.filter((d) => d.kind === "StatefulSet" || d.kind === "Deployment");
  const components = workloads.map((d) => componentOf(d, ctx.observed(d) as Workload | undefined));
  const readyCount = components.filter((c) => c.ready).length;
  const allReady = readyCount === components.length && ctx.problems.length === 0;
  const roles = components.filter((c) => c.kind === "Deployment");
  const rolling = roles.some((c) => {
    const live = ctx.cache.get("apps/v1", "Deployment", ctx.namespace, c.name) as Workload | undefined;
    const image = (
      live as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } } | undefined
    )?.spec?.template?.spec?.containers?.[0]?.image;
    return image !== platformImage(cc) || !c.ready;
  });

  const prevShards = new Map((prev.shards ?? []).map((s) => [s.index, s]));
  const shards: ChatClusterStatusShard[] = Array.from({ length: effectiveShards(cc) }, (_, index) => {
    const name = names.shard(ctx.name, index);
    const comp = components.find((c) => c.kind === "StatefulSet" && c.name === name);
    const old = prevShards.get(index);
    const entry: ChatClusterStatusShard = {
      index,
      name,
      endpoint: mysqlEndpoint(cc, { role: "shard", index }),
      // The lifecycle only moves forward; current readiness is its own field.
      state: old && old.state !== "Provisioning" ? old.state : comp?.ready ? "Ready" : "Provisioning",
      ready: comp?.ready ?? false,
    };
    // Load figures belong to the rebalancer: keep them.
    if (old?.writesPerSecond !== undefined) entry.writesPerSecond = old.writesPerSecond;
    if (old?.loadPercent !== undefined) entry.loadPercent = old.loadPercent;
    if (old?.rooms !== undefined) entry.rooms = old.rooms;
    return entry;
  });

  const everReady = prev.version !== undefined;
  let phase: string;
  if (allReady) phase = Phase.Ready;
  else if (everReady && prev.version !== cc.spec.version) phase = Phase.Upgrading;
  else if (!everReady) phase = Phase.Provisioning;
  else phase = Phase.Degraded;

  const next: ChatClusterStatus = structuredClone(prev);
  next.phase = phase as ChatClusterStatus["phase"];
  next.observedGeneration = cc.metadata.generation ?? 0;
  next.ready = `${readyCount}/${components.length}`;
  next.components = components;
  next.shards = shards;
  next.credentialsSecret = names.credentials(ctx.name);
  next.endpoints = {
    gateway: `${svcHost(cc, names.role(ctx.name, "gateway"))}:${HTTP_PORT}`,
    realtime: `${svcHost(cc, names.role(ctx.name, "realtime"))}:${HTTP_PORT}`,
    catalog: `${svcHost(cc, names.catalog(ctx.name))}:${MYSQL_PORT}`,
    kafka: kafkaBootstrap(cc).join(","),
    redis: redisEndpoint(cc),
  };
  if (allReady && !rolling) next.version = cc.spec.version;
  next.message = allReady
    ? `${components.length} components ready`
    : [
        ...ctx.problems.map((p) => p.message),
        ...(components.some((c) => !c.ready)
          ? [
              `not ready: ${components
                .filter((c) => !c.ready)
                .map((c) => c.name)
                .join(", ")}`,
            ]
          : []),
      ].join("; ");

  const gen = cc.metadata.generation ?? 0;
  const now = ctx.now();
  const notReady = components.filter((c) => !c.ready);
  setCondition(
    next,
    allReady
      ? {
          type: ConditionType.Ready,
          status: "True",
          reason: Reason.AllComponentsReady,
          message: next.message,
        }
      : {
          type: ConditionType.Ready,
          status: "False",
          reason: ctx.problems[0]?.reason ?? Reason.ComponentsNotReady,
          message: next.message,
        },
    gen,
    now,
  );
  const shardsGrowing = shards.some((s) => s.state === "Provisioning") && everReady;
  setCondition(
    next,
    allReady
      ? { type: ConditionType.Progressing, status: "False", reason: Reason.Reconciled, message: "up to date" }
      : {
          type: ConditionType.Progressing,
          status: "True",
          reason:
            phase === Phase.Upgrading
              ? Reason.RollingUpdate
              : shardsGrowing
                ? Reason.ScalingShards
                : Reason.Provisioning,
          message:
            phase === Phase.Upgrading
              ? `rolling to ${cc.spec.version}: ${roles.map((r) => `${r.name} ${r.updatedReplicas}/${r.replicas}`).join(", ")}`
              : `waiting for ${notReady.map((c) => c.name).join(", ") || "dependencies"}`,
        },
    gen,
    now,
  );
  const degraded = ctx.problems.length > 0 || phase === Phase.Degraded;
  setCondition(
    next,
    degraded
      ? {
          type: ConditionType.Degraded,
          status: "True",
          reason: ctx.problems[0]?.reason ?? Reason.ComponentsNotReady,
          message: next.message,
        }
      : { type: ConditionType.Degraded, status: "False", reason: Reason.Reconciled, message: "no problems" },
    gen,
    now,
  );
  return next;
}

export const statusPhase: ReconcilePhase = {
  name: "status",
  async run(ctx) {
    const prev = ctx.cc.status ?? {};
    const next = computeStatus(ctx, prev);
    const updated = await patchStatus(ctx.client, ctx.cc, (s) => {
      for (const k of Object.keys(s)) delete (s as Record<string, unknown>)[k];
      Object.assign(s, next);
    });
    if (updated)
      ctx.cache.remember?.({
        ...(updated as unknown as KObject),
        apiVersion: ctx.cc.apiVersion,
        kind: ctx.cc.kind,
      });
    if (updated && prev.phase !== next.phase) {
      const cc = ctx.cc as unknown as KObject;
      if (next.phase === Phase.Ready)
        ctx.recorder.event(cc, "Normal", EventReason.ClusterReady, next.message ?? "");
      if (next.phase === Phase.Degraded) {
        ctx.recorder.event(cc, "Warning", EventReason.ClusterDegraded, next.message ?? "");
      }
    }
    // Workload changes re-trigger us through the informers; this is a safety net while converging. A hint,
    // not a stop: the rebalance phase after this one still runs while the cluster converges (a new shard).
    if (next.phase !== Phase.Ready) ctx.requeueAfter(30_000, "not ready yet");
    return proceed;
  },
};
