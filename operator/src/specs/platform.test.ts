import { describe, expect, it } from "vitest";
import { newChatCluster } from "../testing/fake.js";
import { buildPlatformConfigMap, buildRoleDeployment, buildRoleService, shardEndpoints } from "./platform.js";

describe("platform builders", () => {
  it("the ConfigMap lists every shard endpoint, Kafka and Redis", () => {
    const cc = newChatCluster({ mysql: { shards: 3 } });
    const cm = buildPlatformConfigMap(cc);
    expect(cm.data?.CHAT_SHARDS).toBe(
      "0=chat-shard-0.ns.svc:3306,1=chat-shard-1.ns.svc:3306,2=chat-shard-2.ns.svc:3306",
    );
    expect(JSON.parse(cm.data?.["shards.json"] ?? "{}").shards).toHaveLength(3);
    expect(cm.data?.CHAT_CATALOG_HOST).toBe("chat-catalog.ns.svc");
    expect(cm.data?.CHAT_KAFKA_BROKERS).toBe("chat-kafka-0.chat-kafka.ns.svc:9092");
    expect(cm.data?.CHAT_REDIS_ADDR).toBe("chat-redis.ns.svc:6379");
  });

  it("the rebalancer's desiredShards raises the shard list, capped at maxShards", () => {
    const cc = newChatCluster({ mysql: { shards: 2, maxShards: 3 } });
    cc.status = { rebalance: { desiredShards: 5 } };
    expect(shardEndpoints(cc).map((s) => s.id)).toEqual([0, 1, 2]);
  });

  it("one Deployment per role: image tag = version, zero-unavailable rollouts, probes, secrets", () => {
    const cc = newChatCluster({ version: "1.2.3", roles: { worker: { replicas: 4 } } });
    const d = buildRoleDeployment(cc, "worker");
    expect(d.metadata?.name).toBe("chat-worker");
    expect(d.spec?.replicas).toBe(4);
    expect(d.spec?.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    const c = d.spec?.template.spec?.containers[0];
    expect(c?.image).toBe("ghcr.io/chatcluster/platform:1.2.3");
    expect(c?.env?.find((e) => e.name === "CHAT_ROLES")?.value).toBe("worker");
    expect(c?.env?.find((e) => e.name === "CHAT_ADMIN_TOKEN")?.valueFrom?.secretKeyRef?.key).toBe(
      "admin-token",
    );
    expect(c?.readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(c?.envFrom?.[0]?.configMapRef?.name).toBe("chat-platform");
    expect(d.spec?.template.metadata?.labels?.["chat.chatcluster.io/platform"]).toBe("true");
  });

  it("leaves replicas to the HPA when autoscaling", () => {
    const cc = newChatCluster({ roles: { realtime: { autoscaling: { enabled: true } } } });
    expect(buildRoleDeployment(cc, "realtime").spec).not.toHaveProperty("replicas");
  });

  it("wires external credentials from the user's Secrets", () => {
    const cc = newChatCluster({
      kafka: {
        external: {
          bootstrapServers: ["k:9092"],
          saslMechanism: "PLAIN",
          credentialsSecretRef: { name: "ks" },
        },
      },
      redis: { external: { host: "r", passwordSecretRef: { name: "rs" } } },
    });
    const env = buildRoleDeployment(cc, "gateway").spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === "CHAT_KAFKA_USERNAME")?.valueFrom?.secretKeyRef).toEqual({
      name: "ks",
      key: "username",
    });
    expect(env.find((e) => e.name === "CHAT_REDIS_PASSWORD")?.valueFrom?.secretKeyRef).toEqual({
      name: "rs",
      key: "password",
    });
    expect(buildPlatformConfigMap(cc).data?.CHAT_KAFKA_SASL_MECHANISM).toBe("PLAIN");
  });

  it("Services select their role", () => {
    const svc = buildRoleService(newChatCluster(), "realtime");
    expect(svc.spec?.selector).toEqual({
      "app.kubernetes.io/instance": "chat",
      "app.kubernetes.io/component": "realtime",
    });
  });
});
