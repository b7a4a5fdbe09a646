import { describe, expect, it } from "vitest";
import { newChatCluster } from "../testing/fake.js";
import {
  buildKafkaService,
  buildKafkaStatefulSet,
  kafkaBootstrap,
  kafkaHeap,
  renderKafkaProperties,
} from "./kafka.js";

const prop = (props: string, key: string) =>
  props
    .split("\n")
    .find((l) => l.startsWith(`${key}=`))
    ?.slice(key.length + 1);

describe("Kafka builders", () => {
  it("builds a KRaft StatefulSet with one voter per replica", () => {
    const cc = newChatCluster({ kafka: { managed: { replicas: 3, partitions: 24 } } });
    const sts = buildKafkaStatefulSet(cc);
    const props = renderKafkaProperties(cc);
    expect(sts.spec?.replicas).toBe(3);
    expect(prop(props, "controller.quorum.voters")).toBe(
      "0@chat-kafka-0.chat-kafka.ns.svc.cluster.local:9093,1@chat-kafka-1.chat-kafka.ns.svc.cluster.local:9093,2@chat-kafka-2.chat-kafka.ns.svc.cluster.local:9093",
    );
    expect(prop(props, "process.roles")).toBe("broker,controller");
    expect(prop(props, "default.replication.factor")).toBe("3");
    expect(prop(props, "min.insync.replicas")).toBe("2");
    expect(prop(props, "num.partitions")).toBe("24");
    const init = sts.spec?.template.spec?.initContainers?.[0];
    expect(init?.env?.find((e) => e.name === "CLUSTER_ID")?.valueFrom?.secretKeyRef?.key).toBe(
      "kafka-cluster-id",
    );
    expect(init?.command?.[2]).toContain("kafka-storage.sh format --ignore-formatted");
    expect(sts.spec?.template.spec?.containers[0]?.command).toEqual([
      "/opt/kafka/bin/kafka-server-start.sh",
      "/etc/kafka/rendered/server.properties",
    ]);
    expect(sts.spec?.podManagementPolicy).toBe("Parallel");
  });

  it("defaults to one broker when kafka is not configured", () => {
    const sts = buildKafkaStatefulSet(newChatCluster());
    expect(sts.spec?.replicas).toBe(1);
    expect(prop(renderKafkaProperties(newChatCluster()), "default.replication.factor")).toBe("1");
  });

  it("sizes the heap at half the container's memory", () => {
    expect(kafkaHeap(newChatCluster())).toBe("-Xms768m -Xmx768m");
    const cc = newChatCluster({ kafka: { managed: { resources: { limits: { memory: "4Gi" } } } } });
    expect(kafkaHeap(cc)).toBe("-Xms2048m -Xmx2048m");
  });

  it("publishes not-ready addresses so the quorum can form", () => {
    const svc = buildKafkaService(newChatCluster());
    expect(svc.spec?.clusterIP).toBe("None");
    expect(svc.spec?.publishNotReadyAddresses).toBe(true);
  });

  it("bootstrap: per-pod DNS when managed, the given servers when external", () => {
    expect(kafkaBootstrap(newChatCluster())).toEqual(["chat-kafka-0.chat-kafka.ns.svc.cluster.local:9092"]);
    expect(
      kafkaBootstrap(newChatCluster({ kafka: { external: { bootstrapServers: ["b:9092", "c:9092"] } } })),
    ).toEqual(["b:9092", "c:9092"]);
  });
});
