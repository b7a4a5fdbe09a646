import { describe, expect, it } from "vitest";
import { newChatCluster } from "../testing/fake.js";
import {
  buildPlatformConfigMap,
  buildRoleDeployment,
  buildRoleService,
  CONFIG_HASH_ANNOTATION,
  platformEnv,
  shardEndpoints,
} from "./platform.js";

describe("platform builders", () => {
  it("the ConfigMap holds the non-secret settings; the env composes MySQL and Redis URLs", () => {
    const cc = newChatCluster({ mysql: { shards: 3 } });
    const cm = buildPlatformConfigMap(cc);
    expect(cm.data).toEqual({
      CHAT_HOST: "0.0.0.0",
      CHAT_TRUST_PROXY: "loopback,uniquelocal",
      CHAT_KAFKA_BROKERS: "chat-kafka-0.chat-kafka.ns.svc.cluster.local:9092",
      CHAT_KAFKA_TLS: "false",
      CHAT_KAFKA_PARTITIONS: "12",
      CHAT_MOVE_MAX_WRITE_PAUSE_MS: "2000",
    });
    const env = platformEnv(cc, "gateway");
    const value = (n: string) => env.find((e) => e.name === n)?.value;
    const pw = "$(CHAT_MYSQL_PASSWORD)";
    expect(value("CHAT_MYSQL_CATALOG_URL")).toBe(
      `mysql://chat:${pw}@chat-catalog.ns.svc.cluster.local:3306/chat`,
    );
    expect(value("CHAT_MYSQL_SHARD_URLS")?.split(",")).toEqual([
      `mysql://chat:${pw}@chat-shard-0.ns.svc.cluster.local:3306/chat`,
      `mysql://chat:${pw}@chat-shard-1.ns.svc.cluster.local:3306/chat`,
      `mysql://chat:${pw}@chat-shard-2.ns.svc.cluster.local:3306/chat`,
    ]);
    expect(value("CHAT_REDIS_URL")).toBe(
      "redis://:$(CHAT_REDIS_PASSWORD)@chat-redis.ns.svc.cluster.local:6379",
    );
    // `$(VAR)` only expands variables defined earlier in the list.
    const at = (n: string) => env.findIndex((e) => e.name === n);
    expect(at("CHAT_MYSQL_PASSWORD")).toBeLessThan(at("CHAT_MYSQL_CATALOG_URL"));
    expect(at("CHAT_REDIS_PASSWORD")).toBeLessThan(at("CHAT_REDIS_URL"));
  });

  it("spares fill [shards, maxShards): the rebalancer's desiredShards leaves the pod template alone", () => {
    const cc = newChatCluster({ mysql: { shards: 2, maxShards: 4 } });
    const before = buildRoleDeployment(cc, "worker");
    const env = (d: typeof before, n: string) =>
      d.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === n)?.value?.split(",");
    const pw = "$(CHAT_MYSQL_PASSWORD)";
    expect(env(before, "CHAT_MYSQL_SHARD_URLS")).toHaveLength(2);
    expect(env(before, "CHAT_MYSQL_SPARE_URLS")).toEqual([
      `mysql://chat:${pw}@chat-shard-2.ns.svc.cluster.local:3306/chat`,
      `mysql://chat:${pw}@chat-shard-3.ns.svc.cluster.local:3306/chat`,
    ]);
    cc.status = { rebalance: { desiredShards: 3 } };
    expect(buildRoleDeployment(cc, "worker").spec?.template).toEqual(before.spec?.template);
    // a user raising spec.mysql.shards turns a spare into a shard: same ids, new template
    const grown = buildRoleDeployment(newChatCluster({ mysql: { shards: 3, maxShards: 4 } }), "worker");
    expect(env(grown, "CHAT_MYSQL_SHARD_URLS")?.at(-1)).toBe(env(before, "CHAT_MYSQL_SPARE_URLS")?.[0]);
    expect(env(grown, "CHAT_MYSQL_SPARE_URLS")).toHaveLength(1);
  });

  it("no spares at maxShards: the variable is left out", () => {
    const d = buildRoleDeployment(newChatCluster({ mysql: { shards: 2, maxShards: 2 } }), "gateway");
    expect(d.spec?.template.spec?.containers[0]?.env?.some((e) => e.name === "CHAT_MYSQL_SPARE_URLS")).toBe(
      false,
    );
  });

  it("maxWritePause reaches the platform, clamped to what it accepts", () => {
    const pause = (d: string) =>
      buildPlatformConfigMap(newChatCluster({ sharding: { rebalance: { maxWritePause: d } } })).data
        ?.CHAT_MOVE_MAX_WRITE_PAUSE_MS;
    expect(pause("500ms")).toBe("500");
    expect(pause("1.5s")).toBe("1500");
    expect(pause("10ms")).toBe("50");
    expect(pause("5m")).toBe("60000");
  });

  it("a changed ConfigMap changes the pod template's config hash", () => {
    const a = buildRoleDeployment(newChatCluster(), "gateway");
    const b = buildRoleDeployment(newChatCluster({ kafka: { managed: { partitions: 24 } } }), "gateway");
    const hash = (d: typeof a) => d.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
    expect(hash(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(hash(b)).not.toBe(hash(a));
    expect(hash(buildRoleDeployment(newChatCluster(), "gateway"))).toBe(hash(a));
  });

  it("shard ids cover [0, maxShards) whatever desiredShards says", () => {
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
    expect(c?.env?.find((e) => e.name === "CHAT_PORT")?.value).toBe("8080");
    expect(c?.ports?.[0]?.containerPort).toBe(8080);
    expect(c?.readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(c?.livenessProbe?.httpGet?.path).toBe("/healthz");
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
    expect(env.find((e) => e.name === "CHAT_REDIS_URL")?.value).toBe(
      "redis://:$(CHAT_REDIS_PASSWORD)@r:6379",
    );
    expect(buildPlatformConfigMap(cc).data?.CHAT_KAFKA_PARTITIONS).toBe("0");
  });

  it("Services select their role", () => {
    const svc = buildRoleService(newChatCluster(), "realtime");
    expect(svc.spec?.selector).toEqual({
      "app.kubernetes.io/instance": "chat",
      "app.kubernetes.io/component": "realtime",
    });
  });
});
