// Every invalid spec is rejected by the API server itself (structural schema + CEL), with its message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "../kube/http.js";
import type { KObject } from "../kube/resources.js";
import { type Conn, connect, createNamespace, deleteNamespace, ensureCRD } from "./harness.js";

let c: Conn;
let ns: string;
beforeAll(async () => {
  c = await connect();
  await ensureCRD(c);
  ns = await createNamespace(c, "validation");
});
afterAll(async () => {
  if (ns) await deleteNamespace(c, ns);
  c?.http.close();
});

const cc = (name: string, spec: Record<string, unknown>): KObject => ({
  apiVersion: "chat.chatcluster.io/v1alpha1",
  kind: "ChatCluster",
  metadata: { name, namespace: ns },
  spec,
});

async function rejection(obj: KObject): Promise<string> {
  try {
    await c.client.create(obj);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(422);
    return (e as ApiError).message;
  }
  throw new Error(`${obj.metadata.name} was accepted`);
}

const cases: [string, Record<string, unknown>, string][] = [
  [
    "shards-zero",
    { mysql: { shards: 0 } },
    "spec.mysql.shards: Invalid value: 0: spec.mysql.shards in body should be greater than or equal to 1",
  ],
  [
    "shards-above-max",
    { mysql: { shards: 20 } },
    "spec.mysql: Invalid value: mysql.shards must not exceed mysql.maxShards",
  ],
  [
    "shards-above-explicit-max",
    { mysql: { shards: 5, maxShards: 4 } },
    "mysql.shards must not exceed mysql.maxShards",
  ],
  [
    "kafka-both",
    { kafka: { managed: {}, external: { bootstrapServers: ["k:9092"] } } },
    "kafka: set either managed or external, not both",
  ],
  [
    "redis-both",
    { redis: { managed: {}, external: { host: "r" } } },
    "redis: set either managed or external, not both",
  ],
  [
    "autoscaling-min-max",
    { roles: { gateway: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } } } },
    "spec.roles.gateway: Invalid value: autoscaling.minReplicas must not exceed autoscaling.maxReplicas",
  ],
  [
    "metric-without-autoscaling",
    {
      roles: {
        realtime: { autoscaling: { metric: { name: "chat_socket_connections", targetAverageValue: "100" } } },
      },
    },
    "autoscaling.metric needs autoscaling.enabled: true",
  ],
  [
    "rebalance-without-prometheus",
    { sharding: { rebalance: { mode: "Auto" } } },
    "sharding.rebalance.prometheus.url is required unless mode is Disabled",
  ],
  [
    "hysteresis-above-threshold",
    { sharding: { rebalance: { addShardThresholdPercent: 20, hysteresisPercent: 30 } } },
    "sharding.rebalance.hysteresisPercent must be below addShardThresholdPercent",
  ],
  [
    "sasl-without-secret",
    { kafka: { external: { bootstrapServers: ["k:9092"], saslMechanism: "PLAIN" } } },
    "kafka.external.saslMechanism needs kafka.external.credentialsSecretRef",
  ],
  [
    "no-brokers",
    { kafka: { external: { bootstrapServers: [] } } },
    "spec.kafka.external.bootstrapServers: Invalid value: 0",
  ],
  [
    "bad-broker",
    { kafka: { external: { bootstrapServers: ["no-port"] } } },
    "spec.kafka.external.bootstrapServers[0]",
  ],
  [
    "bad-deletion-policy",
    { deletionPolicy: "Sometimes" },
    'spec.deletionPolicy: Unsupported value: "Sometimes"',
  ],
  ["bad-version", { version: "1.0 beta" }, 'spec.version: Invalid value: "1.0 beta"'],
  [
    "bad-storage-size",
    { mysql: { storage: { size: "lots" } } },
    'spec.mysql.storage.size: Invalid value: "lots"',
  ],
  [
    "bad-durability",
    { mysql: { durability: { innodbFlushLogAtTrxCommit: 3 } } },
    "spec.mysql.durability.innodbFlushLogAtTrxCommit: Unsupported value: 3",
  ],
];

describe("the API server rejects invalid ChatClusters", () => {
  for (const [name, spec, message] of cases) {
    it(`${name}: "${message}"`, async () => {
      expect(await rejection(cc(name, spec))).toContain(message);
    });
  }

  it("lowering shards is rejected (transition rule), raising is accepted", async () => {
    await c.client.create(cc("lower", { mysql: { shards: 3 } }));
    const ref = {
      apiVersion: "chat.chatcluster.io/v1alpha1",
      kind: "ChatCluster",
      namespace: ns,
      name: "lower",
    };
    const err = await c.client.mergePatch(ref, { spec: { mysql: { shards: 2 } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toContain(
      "mysql.shards cannot be lowered: removing a shard needs a drain of its rooms, which is not supported yet",
    );
    const ok = await c.client.mergePatch(ref, { spec: { mysql: { shards: 4 } } });
    expect((ok as unknown as { spec: { mysql: { shards: number } } }).spec.mysql.shards).toBe(4);
  });

  it("a valid minimal spec is accepted and defaulted", async () => {
    const o = (await c.client.create(cc("ok", {}))) as unknown as {
      spec: { mysql: { shards: number }; deletionPolicy: string };
    };
    expect(o.spec.mysql.shards).toBe(2);
    expect(o.spec.deletionPolicy).toBe("Retain");
  });
});
