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
    expect(rules.map((r) => r.alert)).toEqual(["ChatPlatformDown", "ChatHighErrorRate"]);
    for (const r of rules) expect(r.annotations.runbook).toBe(`docs/runbooks/${r.alert}.md`);
  });
});
