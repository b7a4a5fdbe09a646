import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { newChatCluster } from "../testing/fake.js";
import { buildPrometheusRule, buildServiceMonitor } from "./monitoring.js";

describe("monitoring builders", () => {
  it("ServiceMonitor scrapes the platform Services and carries the user's labels", () => {
    const sm = buildServiceMonitor(newChatCluster({ monitoring: { labels: { release: "kps" } } }));
    expect(sm.metadata?.labels?.release).toBe("kps");
    expect(sm.spec).toMatchObject({ endpoints: [{ port: "http", path: "/metrics" }] });
  });

  it("PrometheusRule alerts link to runbooks", () => {
    const pr = buildPrometheusRule(newChatCluster()) as unknown as {
      spec: { groups: { rules: { alert: string; annotations: { runbook: string } }[] }[] };
    };
    const rules = pr.spec.groups[0]?.rules ?? [];
    expect(rules.map((r) => r.alert)).toEqual([
      "ChatPlatformDown",
      "ChatHighErrorRate",
      "ChatOutboxBacklog",
      "ChatOutboxBacklog",
      "ChatConsumerLag",
      "ChatEventsDeadLettered",
      "ChatRoomMoveStuck",
    ]);
    for (const r of rules) {
      expect(r.annotations.runbook).toBe(`docs/runbooks/${r.alert}.md`);
      expect(existsSync(resolve(import.meta.dirname, "../../..", r.annotations.runbook))).toBe(true);
    }
  });

  it("pipeline alerts use the platform's metrics, scoped to this cluster's Services", () => {
    const pr = buildPrometheusRule(newChatCluster()) as unknown as {
      spec: { groups: { rules: { alert: string; expr: string; labels: { severity: string } }[] }[] };
    };
    const rules = pr.spec.groups[0]?.rules ?? [];
    const expr = (a: string) => rules.filter((r) => r.alert === a).map((r) => r.expr);
    expect(expr("ChatOutboxBacklog")[0]).toContain("chat_outbox_oldest_unpublished_age_seconds{");
    expect(rules.filter((r) => r.alert === "ChatOutboxBacklog").map((r) => r.labels.severity)).toEqual([
      "warning",
      "critical",
    ]);
    expect(expr("ChatConsumerLag")[0]).toBe(
      'max by (group) (chat_consumer_lag{namespace="ns",service=~"chat-(gateway|realtime|worker)"}) > 10000',
    );
    expect(expr("ChatEventsDeadLettered")[0]).toContain('outcome="dead_lettered"');
  });
});
