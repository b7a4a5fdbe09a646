import { describe, expect, it } from "vitest";
import { newChatCluster } from "../testing/fake.js";
import { buildKafkaService, buildKafkaStatefulSet, kafkaBootstrap } from "./kafka.js";

const env = (sts: ReturnType<typeof buildKafkaStatefulSet>, name: string) =>
  sts.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === name);

describe("Kafka builders", () => {
  it("builds a KRaft StatefulSet with one voter per replica", () => {
    const cc = newChatCluster({ kafka: { managed: { replicas: 3, partitions: 24 } } });
    const sts = buildKafkaStatefulSet(cc);
    expect(sts.spec?.replicas).toBe(3);
    expect(env(sts, "KAFKA_CONTROLLER_QUORUM_VOTERS")?.value).toBe(
      "0@chat-kafka-0.chat-kafka.ns.svc:9093,1@chat-kafka-1.chat-kafka.ns.svc:9093,2@chat-kafka-2.chat-kafka.ns.svc:9093",
    );
    expect(env(sts, "KAFKA_PROCESS_ROLES")?.value).toBe("broker,controller");
    expect(env(sts, "KAFKA_DEFAULT_REPLICATION_FACTOR")?.value).toBe("3");
    expect(env(sts, "KAFKA_MIN_INSYNC_REPLICAS")?.value).toBe("2");
    expect(env(sts, "KAFKA_NUM_PARTITIONS")?.value).toBe("24");
    expect(env(sts, "CLUSTER_ID")?.valueFrom?.secretKeyRef?.key).toBe("kafka-cluster-id");
    expect(sts.spec?.podManagementPolicy).toBe("Parallel");
  });

  it("defaults to one broker when kafka is not configured", () => {
    const sts = buildKafkaStatefulSet(newChatCluster());
    expect(sts.spec?.replicas).toBe(1);
    expect(env(sts, "KAFKA_DEFAULT_REPLICATION_FACTOR")?.value).toBe("1");
  });

  it("publishes not-ready addresses so the quorum can form", () => {
    const svc = buildKafkaService(newChatCluster());
    expect(svc.spec?.clusterIP).toBe("None");
    expect(svc.spec?.publishNotReadyAddresses).toBe(true);
  });

  it("bootstrap: per-pod DNS when managed, the given servers when external", () => {
    expect(kafkaBootstrap(newChatCluster())).toEqual(["chat-kafka-0.chat-kafka.ns.svc:9092"]);
    expect(
      kafkaBootstrap(newChatCluster({ kafka: { external: { bootstrapServers: ["b:9092", "c:9092"] } } })),
    ).toEqual(["b:9092", "c:9092"]);
  });
});
