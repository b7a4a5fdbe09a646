// Managed Kafka: a KRaft StatefulSet (each pod broker + controller) and its headless Service.
import type { V1Service, V1StatefulSet } from "@kubernetes/client-node";
import type { ChatCluster, ChatClusterSpecKafkaManaged } from "../api/index.js";
import {
  clean,
  KAFKA_CONTROLLER_PORT,
  KAFKA_PORT,
  meta,
  names,
  podAntiAffinity,
  resources,
  secretEnv,
  selector,
  svcHost,
} from "./common.js";
import { CREDENTIAL_KEYS } from "./secrets.js";

export function managedKafka(cc: ChatCluster): ChatClusterSpecKafkaManaged {
  return (
    cc.spec.kafka.managed ?? {
      image: "apache/kafka:3.9.1",
      replicas: 1,
      partitions: 12,
      storage: { size: "10Gi" },
    }
  );
}

/** Bootstrap servers the platform uses, managed or external. */
export function kafkaBootstrap(cc: ChatCluster): string[] {
  if (cc.spec.kafka.external) return cc.spec.kafka.external.bootstrapServers;
  const c = cc.metadata.name ?? "";
  const svc = names.kafka(c);
  return Array.from(
    { length: managedKafka(cc).replicas },
    (_, i) => `${svc}-${i}.${svcHost(cc, svc)}:${KAFKA_PORT}`,
  );
}

export function buildKafkaService(cc: ChatCluster): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(cc, names.kafka(cc.metadata.name ?? ""), "kafka"),
    spec: {
      clusterIP: "None",
      // Controllers must find each other before any of them is Ready (quorum formation).
      publishNotReadyAddresses: true,
      selector: selector(cc, "kafka"),
      ports: [
        { name: "kafka", port: KAFKA_PORT, targetPort: KAFKA_PORT, protocol: "TCP" },
        {
          name: "controller",
          port: KAFKA_CONTROLLER_PORT,
          targetPort: KAFKA_CONTROLLER_PORT,
          protocol: "TCP",
        },
      ],
    },
  };
}

export function buildKafkaStatefulSet(cc: ChatCluster): V1StatefulSet {
  const c = cc.metadata.name ?? "";
  const k = managedKafka(cc);
  const name = names.kafka(c);
  const host = svcHost(cc, name);
  const voters = Array.from(
    { length: k.replicas },
    (_, i) => `${i}@${name}-${i}.${host}:${KAFKA_CONTROLLER_PORT}`,
  ).join(",");
  const rf = String(Math.min(3, k.replicas));
  const m = meta(cc, name, "kafka");
  return clean<V1StatefulSet>({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: m,
    spec: {
      serviceName: name,
      replicas: k.replicas,
      selector: { matchLabels: selector(cc, "kafka") },
      podManagementPolicy: "Parallel",
      updateStrategy: { type: "RollingUpdate" },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      template: {
        metadata: { labels: m.labels },
        spec: {
          affinity: podAntiAffinity(cc, "kafka"),
          securityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true },
          containers: [
            {
              name: "kafka",
              image: k.image,
              imagePullPolicy: "IfNotPresent",
              // The node id is the pod ordinal; the image's entrypoint reads KAFKA_* variables.
              command: [
                "/bin/bash",
                "-c",
                // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
                'export KAFKA_NODE_ID="${HOSTNAME##*-}"; exec /etc/kafka/docker/run',
              ],
              env: [
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                secretEnv("CLUSTER_ID", names.credentials(c), CREDENTIAL_KEYS.kafkaClusterId),
                { name: "KAFKA_PROCESS_ROLES", value: "broker,controller" },
                { name: "KAFKA_CONTROLLER_QUORUM_VOTERS", value: voters },
                {
                  name: "KAFKA_LISTENERS",
                  value: `PLAINTEXT://:${KAFKA_PORT},CONTROLLER://:${KAFKA_CONTROLLER_PORT}`,
                },
                {
                  name: "KAFKA_ADVERTISED_LISTENERS",
                  value: `PLAINTEXT://$(POD_NAME).${host}:${KAFKA_PORT}`,
                },
                { name: "KAFKA_CONTROLLER_LISTENER_NAMES", value: "CONTROLLER" },
                {
                  name: "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                  value: "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                },
                { name: "KAFKA_LOG_DIRS", value: "/var/lib/kafka/data" },
                { name: "KAFKA_NUM_PARTITIONS", value: String(k.partitions) },
                { name: "KAFKA_DEFAULT_REPLICATION_FACTOR", value: rf },
                { name: "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", value: rf },
                { name: "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", value: rf },
                { name: "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", value: k.replicas >= 3 ? "2" : "1" },
                { name: "KAFKA_MIN_INSYNC_REPLICAS", value: k.replicas >= 3 ? "2" : "1" },
                { name: "KAFKA_AUTO_CREATE_TOPICS_ENABLE", value: "false" },
              ],
              ports: [
                { name: "kafka", containerPort: KAFKA_PORT, protocol: "TCP" },
                { name: "controller", containerPort: KAFKA_CONTROLLER_PORT, protocol: "TCP" },
              ],
              readinessProbe: { tcpSocket: { port: KAFKA_PORT }, initialDelaySeconds: 10, periodSeconds: 5 },
              livenessProbe: {
                tcpSocket: { port: KAFKA_CONTROLLER_PORT },
                initialDelaySeconds: 60,
                periodSeconds: 10,
                failureThreshold: 6,
              },
              resources: resources(k.resources),
              volumeMounts: [{ name: "data", mountPath: "/var/lib/kafka/data" }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: m.labels },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: k.storage.storageClassName,
            resources: { requests: { storage: k.storage.size } },
          },
        },
      ],
    },
  });
}
