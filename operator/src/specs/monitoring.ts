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
            // Event pipeline (docs/event-pipeline.md): the rules its runbooks suggest.
            {
              alert: "ChatOutboxBacklog",
              expr: `max by (shard) (chat_outbox_oldest_unpublished_age_seconds{${sel}}) > 60`,
              for: "5m",
              labels: { severity: "warning" },
              annotations: {
                summary: `A ${c} shard's oldest unpublished outbox event is over a minute old`,
                description:
                  "Shard {{ $labels.shard }}: events wait in the outbox (search, notifications and webhooks lag); chat_outbox_backlog shows how many.",
                runbook: "docs/runbooks/ChatOutboxBacklog.md",
              },
            },
            {
              alert: "ChatOutboxBacklog",
              expr: `max by (shard) (chat_outbox_oldest_unpublished_age_seconds{${sel}}) > 60`,
              for: "15m",
              labels: { severity: "critical" },
              annotations: {
                summary: `A ${c} shard's outbox has not drained for 15 minutes`,
                description:
                  "Shard {{ $labels.shard }}: events wait in the outbox (search, notifications and webhooks lag); chat_outbox_backlog shows how many.",
                runbook: "docs/runbooks/ChatOutboxBacklog.md",
              },
            },
            {
              alert: "ChatConsumerLag",
              expr: `max by (group) (chat_consumer_lag{${sel}}) > 10000`,
              for: "10m",
              labels: { severity: "warning" },
              annotations: {
                summary: `A ${c} consumer group is more than 10,000 events behind`,
                description: "Consumer group {{ $labels.group }} lags by {{ $value }} events.",
                runbook: "docs/runbooks/ChatConsumerLag.md",
              },
            },
            {
              alert: "ChatEventsDeadLettered",
              expr: `sum by (group) (increase(chat_consumer_events_total{${sel},outcome="dead_lettered"}[10m])) > 0`,
              labels: { severity: "warning" },
              annotations: {
                summary: `A ${c} consumer dead-lettered events`,
                description:
                  "Consumer group {{ $labels.group }} sent {{ $value }} events to the DLQ in 10 minutes.",
                runbook: "docs/runbooks/ChatEventsDeadLettered.md",
              },
            },
            {
              // Failed moves roll back and lose nothing, but the room's load stays where the rebalancer wanted
              // it gone. The age gauge is catalog-wide (every instance reports it): max, not sum.
              alert: "ChatRoomMoveStuck",
              expr:
                `sum(increase(chat_room_moves_total{${sel},outcome="failed"}[30m])) > 0` +
                ` or max(chat_room_move_oldest_open_age_seconds{${sel}}) > 900`,
              labels: { severity: "warning" },
              annotations: {
                summary: `Room moves of ${c} are failing or stuck`,
                description:
                  "A room move failed in the last 30 minutes, or one has been unfinished for over 15 minutes (value: {{ $value }}).",
                runbook: "docs/runbooks/ChatRoomMoveStuck.md",
              },
            },
          ],
        },
      ],
    },
  };
}
