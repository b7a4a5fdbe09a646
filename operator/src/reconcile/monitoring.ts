// ServiceMonitor and PrometheusRule, only when the cluster serves those kinds (discovered, not assumed).
import { type Phase, proceed } from "../controller/reconcile.js";
import { buildPrometheusRule, buildServiceMonitor, MONITORING_API } from "../specs/monitoring.js";

export const monitoringPhase: Phase = {
  name: "monitoring",
  async run(ctx) {
    if (!ctx.cc.spec.monitoring.enabled) return proceed;
    if (
      ctx.cache.has(MONITORING_API, "ServiceMonitor") &&
      (await ctx.client.serves(MONITORING_API, "ServiceMonitor"))
    ) {
      await ctx.ensure(buildServiceMonitor(ctx.cc));
    }
    if (
      ctx.cache.has(MONITORING_API, "PrometheusRule") &&
      (await ctx.client.serves(MONITORING_API, "PrometheusRule"))
    ) {
      await ctx.ensure(buildPrometheusRule(ctx.cc));
    }
    return proceed;
  },
};
