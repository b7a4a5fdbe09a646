// Deletes objects this ChatCluster owns that are no longer desired (an HPA after autoscaling is turned
// off, the Kafka objects after a switch to external, …). Shard StatefulSets are never pruned: their data
// would go with them, and shards only ever grow.
import { EventReason } from "../controller/conditions.js";
import { type Phase, proceed } from "../controller/reconcile.js";
import { type KObject, keyOf, refOf } from "../kube/resources.js";
import { CLUSTER_LABEL, COMPONENT } from "../specs/common.js";
import { PRUNABLE_KINDS } from "../specs/kinds.js";

export const prunePhase: Phase = {
  name: "prune",
  async run(ctx) {
    const want = new Set(ctx.desired.map((d) => keyOf(refOf(d))));
    const uid = ctx.cc.metadata.uid;
    for (const [apiVersion, kind] of PRUNABLE_KINDS) {
      if (!ctx.cache.has(apiVersion, kind)) continue;
      for (const o of ctx.cache.list(apiVersion, kind, ctx.namespace, { [CLUSTER_LABEL]: ctx.name })) {
        const owned = o.metadata.ownerReferences?.some((r) => r.controller && r.uid === uid);
        if (!owned || want.has(keyOf(refOf(o))) || o.metadata.deletionTimestamp) continue;
        if (kind === "StatefulSet" && o.metadata.labels?.[COMPONENT] === "shard") {
          ctx.log.warn(
            { object: o.metadata.name },
            "shard StatefulSet no longer desired: kept (shards are never removed)",
          );
          continue;
        }
        await ctx.client.delete(refOf(o));
        ctx.changed.push(`-${kind}/${o.metadata.name}`);
        ctx.recorder.event(
          ctx.cc as unknown as KObject,
          "Normal",
          EventReason.ObjectDeleted,
          `deleted ${kind} ${o.metadata.name} (no longer in the spec)`,
        );
      }
    }
    return proceed;
  },
};
