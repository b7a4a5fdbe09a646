// ServiceMonitor and PrometheusRule (monitoring.coreos.com/v1): built only when the cluster serves those
// kinds (the reconcile discovers them) and spec.monitoring.enabled.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { ChatCluster } from "../api/index.js";
import { meta, names, PLATFORM_LABEL } from "./common.js";

export const MONITORING_API = "monitoring.coreos.com/v1";

export function buildServiceMonitor(cc: ChatCluster): KubernetesObject & { spec: unknown } {
  const m = meta(cc, names.monitor(cc.metadata.name ?? ""), "config");
  return {
    apiVersion: MONITORING_API,
    kind: "ServiceMonitor",
    metadata: { ...m, labels: { ...m.labels, ...cc.spec.monitoring.labels } },
    spec: {
      selector: {
        matchLabels: { "app.kubernetes.io/instance": cc.metadata.name ?? "", [PLATFORM_LABEL]: "true" },
      },
      endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
    },
  };
}

export function buildPrometheusRule(cc: ChatCluster): KubernetesObject & { spec: unknown } {
  const c = cc.metadata.name ?? "";
  const ns = cc.metadata.namespace ?? "default";
  const sel = `namespace="${ns}",service=~"${c}-(gateway|realtime|worker)"`;
  const m = meta(cc, names.monitor(c), "config");
  return {
    apiVersion: MONITORING_API,
    kind: "PrometheusRule",
    metadata: { ...m, labels: { ...m.labels, ...cc.spec.monitoring.labels } },
    spec: {
      groups: [
        {
          name: `chatcluster.${c}`,
          rules: [
            {
              alert: "ChatPlatformDown",
              expr: `sum(up{${sel}}) == 0`,
              for: "2m",
              labels: { severity: "critical" },
              annotations: {
                summary: `No ${c} platform pod is being scraped`,
                runbook: "docs/runbooks/ChatPlatformDown.md",
              },
            },
            {
              alert: "ChatHighErrorRate",
              expr: `sum(rate(chat_http_requests_total{${sel},status=~"5.."}[5m])) / clamp_min(sum(rate(chat_http_requests_total{${sel}}[5m])), 1) > 0.05`,
              for: "10m",
              labels: { severity: "warning" },
              annotations: {
                summary: `More than 5% of ${c} requests fail`,
                runbook: "docs/runbooks/ChatHighErrorRate.md",
              },
            },
          ],
        },
      ],
    },
  };
}
