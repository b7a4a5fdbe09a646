// Redis: a StatefulSet + Service when managed; nothing when external.
import { redisManaged } from "../api/index.js";
import { type Phase, proceed } from "../controller/reconcile.js";
import { buildRedisConfigMap, buildRedisService, buildRedisStatefulSet } from "../specs/redis.js";

export const redisPhase: Phase = {
  name: "redis",
  async run(ctx) {
    if (!redisManaged(ctx.cc)) return proceed;
    await ctx.ensureAll([
      buildRedisConfigMap(ctx.cc),
      buildRedisService(ctx.cc),
      buildRedisStatefulSet(ctx.cc),
    ]);
    return proceed;
  },
};
