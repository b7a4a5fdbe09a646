// The platform: its ConfigMap (shard endpoints, Kafka, Redis) and one Deployment + Service per role.
// A changed image starts a rolling update (maxUnavailable 0); an Event marks its start.
import { ROLES, type RoleName } from "../api/index.js";
import { EventReason } from "../controller/conditions.js";
import { type Phase, proceed, type ReconcileContext } from "../controller/reconcile.js";
import type { KObject } from "../kube/resources.js";
import { FIELD_MANAGER } from "../specs/common.js";
import {
  buildPlatformConfigMap,
  buildRoleDeployment,
  buildRoleService,
  platformImage,
} from "../specs/platform.js";

/** Holds spec.replicas while the operator hands it to the HPA (see handOffReplicas). */
export const REPLICAS_HANDOFF_MANAGER = `${FIELD_MANAGER}-hpa-handoff`;

type LiveDeployment = KObject & {
  spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
};

const liveImage = (o: LiveDeployment | undefined): string | undefined =>
  o?.spec?.template?.spec?.containers?.[0]?.image;

/** Does the operator's own apply own spec.replicas (it set it before autoscaling was turned on)? */
export function operatorOwnsReplicas(o: KObject | undefined): boolean {
  const entries = (o?.metadata.managedFields ?? []) as {
    manager?: string;
    operation?: string;
    fieldsV1?: { "f:spec"?: Record<string, unknown> };
  }[];
  return entries.some(
    (e) =>
      e.manager === FIELD_MANAGER &&
      e.operation === "Apply" &&
      e.fieldsV1?.["f:spec"]?.["f:replicas"] !== undefined,
  );
}

/**
 * Under autoscaling the operator's apply leaves spec.replicas out (the HPA owns it). Dropping a field one
 * owns alone resets it to its default (1), so on the way in another manager of ours applies the count
 * first: at creation minReplicas (not 1 until the HPA's first sync), when autoscaling is turned on the
 * current count (never below minReplicas). The HPA's next change takes the field over from it.
 */
async function handOffReplicas(
  ctx: ReconcileContext,
  role: RoleName,
  live: LiveDeployment | undefined,
  d: KObject,
) {
  const a = ctx.cc.spec.roles[role].autoscaling;
  if (!a.enabled) return;
  if (live && !operatorOwnsReplicas(live)) return;
  const replicas = Math.max(live?.spec?.replicas ?? 0, a.minReplicas);
  const { apiVersion, kind, metadata } = d;
  await ctx.client.apply(
    {
      apiVersion,
      kind,
      metadata: { name: metadata.name, namespace: metadata.namespace },
      spec: { replicas },
    },
    undefined,
    REPLICAS_HANDOFF_MANAGER,
  );
}

export const platformPhase: Phase = {
  name: "platform",
  async run(ctx) {
    await ctx.ensure(buildPlatformConfigMap(ctx.cc));
    let rollout = false;
    for (const role of ROLES) {
      const d = buildRoleDeployment(ctx.cc, role) as KObject;
      const live = ctx.observed(d) as LiveDeployment | undefined;
      // Turning autoscaling on: the hand-off holds the count before our apply lets go of it.
      if (live) await handOffReplicas(ctx, role, live, d);
      const before = liveImage(live);
      await ctx.ensure(d);
      if (!live) await handOffReplicas(ctx, role, undefined, d);
      if (before !== undefined && before !== platformImage(ctx.cc)) rollout = true;
      await ctx.ensure(buildRoleService(ctx.cc, role));
    }
    if (rollout) {
      ctx.recorder.event(
        ctx.cc as unknown as KObject,
        "Normal",
        EventReason.RolloutStarted,
        `rolling the platform to ${platformImage(ctx.cc)}`,
      );
    }
    return proceed;
  },
};
