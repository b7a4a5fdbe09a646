// Prometheus metrics. Names carry the chat_ prefix, counters end in _total and
// histograms in _seconds. Labels are bounded sets (route templates, shard ids,
// outcomes) — never user or room ids, which would explode cardinality.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "chat_" });
  return {
    registry,
    httpRequests: new Counter({
      name: "chat_http_requests_total",
      help: "HTTP requests by route template, method and status class",
      labelNames: ["route", "method", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "chat_http_request_duration_seconds",
      help: "HTTP request latency by route template",
      labelNames: ["route", "method"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    messagesSent: new Counter({
      name: "chat_messages_sent_total",
      help: "Messages durably stored, by shard and transport",
      labelNames: ["shard", "transport"] as const,
      registers: [registry],
    }),
    sendBatches: new Counter({
      name: "chat_message_send_batches_total",
      help: "Send transactions (group commits); messages_sent / batches = mean batch size",
      labelNames: ["shard"] as const,
      registers: [registry],
    }),
    messageDuplicates: new Counter({
      name: "chat_message_duplicates_total",
      help: "Sends answered from the idempotency record instead of storing again",
      registers: [registry],
    }),
    sendDuration: new Histogram({
      name: "chat_message_send_duration_seconds",
      help: "Shard transaction time of a send",
      labelNames: ["shard"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    staleRoutes: new Counter({
      name: "chat_directory_stale_routes_total",
      help: "Writes rejected by the epoch fence (room moved), then re-routed",
      registers: [registry],
    }),
    directoryCache: new Counter({
      name: "chat_directory_cache_lookups_total",
      help: "Room directory cache lookups by result",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    socketsConnected: new Gauge({
      name: "chat_realtime_sockets",
      help: "Sockets connected to this instance",
      registers: [registry],
    }),
    socketEvents: new Counter({
      name: "chat_realtime_events_total",
      help: "Socket events received by event name and outcome",
      labelNames: ["event", "outcome"] as const,
      registers: [registry],
    }),
    transientFailures: new Counter({
      name: "chat_transient_failures_total",
      help: "Handled failures of a backend being unavailable (answered as retryable), by where they surfaced",
      labelNames: ["where"] as const,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: "chat_rate_limited_total",
      help: "Requests refused by a rate limit",
      labelNames: ["limit"] as const,
      registers: [registry],
    }),
    partitionsDropped: new Counter({
      name: "chat_retention_partitions_dropped_total",
      help: "Message partitions dropped by retention",
      labelNames: ["shard"] as const,
      registers: [registry],
    }),
  };
}
