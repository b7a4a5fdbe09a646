// Metrics of the event pipeline, registered on the app's registry (chat_ prefix,
// bounded labels: shard ids, consumer groups, outcomes — never user or room ids).
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export type PipelineMetrics = ReturnType<typeof createPipelineMetrics>;

export function createPipelineMetrics(registry: Registry) {
  const registers = [registry];
  return {
    outboxBacklog: new Gauge({
      name: "chat_outbox_backlog",
      help: "Outbox rows not yet published to the event bus, per shard",
      labelNames: ["shard"] as const,
      registers,
    }),
    outboxOldestAge: new Gauge({
      name: "chat_outbox_oldest_unpublished_age_seconds",
      help: "Age of the oldest unpublished outbox row, per shard (0 when the backlog is empty)",
      labelNames: ["shard"] as const,
      registers,
    }),
    outboxRelayed: new Counter({
      name: "chat_outbox_relayed_total",
      help: "Outbox rows published to the event bus by this instance",
      labelNames: ["shard"] as const,
      registers,
    }),
    outboxRelayErrors: new Counter({
      name: "chat_outbox_relay_errors_total",
      help: "Relay rounds that failed (bus or database unreachable, lease lost)",
      labelNames: ["shard"] as const,
      registers,
    }),
    outboxLeaseHeld: new Gauge({
      name: "chat_outbox_relay_lease_held",
      help: "1 when this instance holds the shard's relay lease",
      labelNames: ["shard"] as const,
      registers,
    }),
    consumerLag: new Gauge({
      name: "chat_consumer_lag",
      help: "Events published but not yet handled, per consumer group",
      labelNames: ["group"] as const,
      registers,
    }),
    consumerEvents: new Counter({
      name: "chat_consumer_events_total",
      help: "Events handled by consumers, by group and outcome",
      labelNames: ["group", "outcome"] as const,
      registers,
    }),
    consumerDuration: new Histogram({
      name: "chat_consumer_event_duration_seconds",
      help: "Time to handle one event, or one batch of events in one transaction, by consumer group",
      labelNames: ["group"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    }),
    notifications: new Counter({
      name: "chat_notifications_total",
      help: "Notifications created, by kind",
      labelNames: ["kind"] as const,
      registers,
    }),
    webhookDeliveries: new Counter({
      name: "chat_webhook_deliveries_total",
      help: "Webhook delivery attempts by outcome (delivered, retry, dead)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    searchDuration: new Histogram({
      name: "chat_search_query_duration_seconds",
      help: "Search query time",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}
