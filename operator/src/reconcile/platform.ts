// The platform: its ConfigMap (shard endpoints, Kafka, Redis) and one Deployment + Service per role.
// A changed image starts a rolling update (maxUnavailable 0); an Event marks its start.
import { ROLES } from "../api/index.js";
import { EventReason } from "../controller/conditions.js";
import { type Phase, proceed } from "../controller/reconcile.js";
import type { KObject } from "../kube/resources.js";
import {
  buildPlatformConfigMap,
  buildRoleDeployment,
  buildRoleService,
  platformImage,
} from "../specs/platform.js";

const liveImage = (o: KObject | undefined): string | undefined =>
  (o as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } } | undefined)?.spec
    ?.template?.spec?.containers?.[0]?.image;

export const platformPhase: Phase = {
  name: "platform",
  async run(ctx) {
    await ctx.ensure(buildPlatformConfigMap(ctx.cc));
    let rollout = false;
    for (const role of ROLES) {
      const d = buildRoleDeployment(ctx.cc, role);
      const before = liveImage(ctx.observed(d as KObject));
      await ctx.ensure(d);
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
