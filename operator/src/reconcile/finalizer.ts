// Deletion: the finalizer removes what garbage collection cannot — the PVCs of the StatefulSets and the
// credentials Secret — and only under deletionPolicy: Delete. Under Retain both stay (a ChatCluster created
// again with the same name finds its data and credentials). Otherwise: make sure the finalizer is present.
import { ConditionType, EventReason, Phase, Reason } from "../controller/conditions.js";
import {
  proceed,
  type ReconcileContext,
  type Phase as ReconcilePhase,
  stop,
} from "../controller/reconcile.js";
import { patchStatus, setCondition } from "../controller/status.js";
import { isNotFound } from "../kube/http.js";
import type { KObject } from "../kube/resources.js";
import { CLUSTER_LABEL, FINALIZER, names } from "../specs/common.js";

const ccRef = (ctx: ReconcileContext) => ({
  apiVersion: ctx.cc.apiVersion,
  kind: ctx.cc.kind,
  namespace: ctx.namespace,
  name: ctx.name,
});

async function cleanup(ctx: ReconcileContext): Promise<void> {
  const cc = ctx.cc as unknown as KObject;
  if (ctx.cc.spec.deletionPolicy !== "Delete") {
    ctx.recorder.event(
      cc,
      "Normal",
      EventReason.VolumesRetained,
      "deletionPolicy Retain: volumes and credentials kept",
    );
    return;
  }
  const pvcs = await ctx.client.list(
    "v1",
    "PersistentVolumeClaim",
    ctx.namespace,
    `${CLUSTER_LABEL}=${ctx.name}`,
  );
  for (const pvc of pvcs.items) {
    await ctx.client.delete({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      namespace: ctx.namespace,
      name: pvc.metadata.name ?? "",
    });
  }
  await ctx.client.delete({
    apiVersion: "v1",
    kind: "Secret",
    namespace: ctx.namespace,
    name: names.credentials(ctx.name),
  });
  ctx.recorder.event(
    cc,
    "Normal",
    EventReason.VolumesDeleted,
    `deletionPolicy Delete: ${pvcs.items.length} volume claims and the credentials deleted`,
  );
}

export const finalizerPhase: ReconcilePhase = {
  name: "finalizer",
  async run(ctx) {
    const finalizers = ctx.cc.metadata.finalizers ?? [];
    const has = finalizers.includes(FINALIZER);
    if (ctx.cc.metadata.deletionTimestamp) {
      if (!has) return stop("deleting");
      const updated = await patchStatus(ctx.client, ctx.cc, (st) => {
        st.phase = Phase.Deleting;
        setCondition(
          st,
          {
            type: ConditionType.Ready,
            status: "False",
            reason: Reason.Deleting,
            message: `deleting (deletionPolicy ${ctx.cc.spec.deletionPolicy})`,
          },
          ctx.cc.metadata.generation ?? 0,
          ctx.now(),
        );
      }).catch((e) => {
        if (!isNotFound(e)) throw e;
        return undefined;
      });
      // the finalizer patch below is optimistic: it must carry the resourceVersion after the status write
      if (updated?.metadata.resourceVersion)
        ctx.cc.metadata.resourceVersion = updated.metadata.resourceVersion;
      await cleanup(ctx);
      try {
        await ctx.client.mergePatch(ccRef(ctx), {
          metadata: {
            resourceVersion: ctx.cc.metadata.resourceVersion,
            finalizers: finalizers.filter((f) => f !== FINALIZER),
          },
        });
      } catch (e) {
        // Already gone: a previous pass (seen through a lagging cache) finished the job.
        if (!isNotFound(e)) throw e;
      }
      ctx.log.info({ policy: ctx.cc.spec.deletionPolicy }, "finalized");
      return stop("deleted");
    }
    if (!has) {
      // resourceVersion makes it an optimistic update: we never clobber someone else's finalizer list.
      const updated = await ctx.client.mergePatch(ccRef(ctx), {
        metadata: {
          resourceVersion: ctx.cc.metadata.resourceVersion,
          finalizers: [...finalizers, FINALIZER],
        },
      });
      ctx.cc.metadata.finalizers = [...finalizers, FINALIZER];
      ctx.cc.metadata.resourceVersion = updated.metadata.resourceVersion;
      ctx.cache.remember?.({ ...updated, apiVersion: ctx.cc.apiVersion, kind: ctx.cc.kind });
    }
    return proceed;
  },
};
