import { describe, expect, it } from "vitest";
import { newChatCluster } from "../testing/fake.js";
import { buildHPA, buildKafkaPDB, buildNetworkPolicies, buildRolePDB } from "./policies.js";

describe("policy builders", () => {
  it("PDBs allow one role pod down; Kafka gets one only with a quorum", () => {
    expect(buildRolePDB(newChatCluster(), "gateway").spec?.maxUnavailable).toBe(1);
    expect(buildKafkaPDB(newChatCluster())).toBeUndefined();
    expect(buildKafkaPDB(newChatCluster({ kafka: { managed: { replicas: 3 } } }))?.spec?.maxUnavailable).toBe(
      1,
    );
  });

  it("NetworkPolicies: only platform pods reach MySQL, Redis and Kafka", () => {
    const nps = buildNetworkPolicies(newChatCluster());
    expect(nps.map((n) => n.metadata.name)).toEqual(["chat-mysql", "chat-redis", "chat-kafka"]);
    const mysql = nps[0] as unknown as {
      spec: { ingress: { from: { podSelector: { matchLabels: object } }[]; ports: { port: number }[] }[] };
    };
    expect(mysql.spec.ingress[0]?.from[0]?.podSelector.matchLabels).toEqual({
      "app.kubernetes.io/instance": "chat",
      "chat.chatcluster.io/platform": "true",
    });
    expect(mysql.spec.ingress[0]?.ports).toEqual([{ protocol: "TCP", port: 3306 }]);
  });

  it("no NetworkPolicy for external stores, none at all when disabled", () => {
    const ext = newChatCluster({
      kafka: { external: { bootstrapServers: ["k:1"] } },
      redis: { external: { host: "r" } },
    });
    expect(buildNetworkPolicies(ext).map((n) => n.metadata.name)).toEqual(["chat-mysql"]);
    expect(buildNetworkPolicies(newChatCluster({ networkPolicy: { enabled: false } }))).toEqual([]);
  });

  it("HPA on CPU by default, on a per-pod metric when asked, none when off", () => {
    expect(buildHPA(newChatCluster(), "gateway")).toBeUndefined();
    const cpu = buildHPA(
      newChatCluster({ roles: { gateway: { autoscaling: { enabled: true, maxReplicas: 7 } } } }),
      "gateway",
    );
    expect(cpu?.apiVersion).toBe("autoscaling/v2");
    expect(cpu?.spec?.maxReplicas).toBe(7);
    expect(cpu?.spec?.metrics?.[0]).toEqual({
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
    });
    const pods = buildHPA(
      newChatCluster({
        roles: {
          realtime: {
            autoscaling: {
              enabled: true,
              metric: { name: "chat_socket_connections", targetAverageValue: "2000" },
            },
          },
        },
      }),
      "realtime",
    );
    expect(pods?.spec?.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "chat-realtime",
    });
    expect(pods?.spec?.metrics?.[0]).toEqual({
      type: "Pods",
      pods: {
        metric: { name: "chat_socket_connections" },
        target: { type: "AverageValue", averageValue: "2000" },
      },
    });
  });
});
