// Managed Kafka: a KRaft StatefulSet (each pod broker + controller), its config and its headless Service. The
// broker runs by explicit command; an init container writes the pod's config and formats the storage.
import type { V1ConfigMap, V1Service, V1StatefulSet } from "@kubernetes/client-node";
import type { ChatCluster, ChatClusterSpecKafkaManaged } from "../api/index.js";
import { parseQuantity } from "../kube/compare.js";
import {
  clean,
  DEFAULT_KAFKA_RESOURCES,
  INIT_RESOURCES,
  KAFKA_CONTROLLER_PORT,
  KAFKA_PORT,
  meta,
  names,
  podAntiAffinity,
  podSecurity,
  readOnlyContainerSecurity,
  resources,
  secretEnv,
  selector,
  serviceAccountFor,
  svcHost,
} from "./common.js";
import { CREDENTIAL_KEYS } from "./secrets.js";

export function managedKafka(cc: ChatCluster): ChatClusterSpecKafkaManaged {
  return (
    cc.spec.kafka.managed ?? {
      image: "ghcr.io/chatcluster/kafka:3.9.1",
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

/** Where the operator puts Kafka's files (the official image's layout: /opt/kafka/bin, data in /var/lib/kafka/data). */
const KAFKA = {
  bin: "/opt/kafka/bin",
  template: "/etc/kafka/chatcluster",
  rendered: "/etc/kafka/rendered",
  data: "/var/lib/kafka/data",
} as const;
/** `appuser` of the official apache/kafka image and of ours (hack/images/kafka). */
const KAFKA_UID = 1000;

/** The broker settings shared by every pod; node.id and the advertised listener are added per pod. */
export function renderKafkaProperties(cc: ChatCluster): string {
  const k = managedKafka(cc);
  const name = names.kafka(cc.metadata.name ?? "");
  const host = svcHost(cc, name);
  const voters = Array.from(
    { length: k.replicas },
    (_, i) => `${i}@${name}-${i}.${host}:${KAFKA_CONTROLLER_PORT}`,
  ).join(",");
  const rf = String(Math.min(3, k.replicas));
  const isr = k.replicas >= 3 ? "2" : "1";
  return [
    "process.roles=broker,controller",
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://:${KAFKA_PORT},CONTROLLER://:${KAFKA_CONTROLLER_PORT}`,
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    `log.dirs=${KAFKA.data}`,
    `num.partitions=${k.partitions}`,
    `default.replication.factor=${rf}`,
    `offsets.topic.replication.factor=${rf}`,
    `transaction.state.log.replication.factor=${rf}`,
    `transaction.state.log.min.isr=${isr}`,
    `min.insync.replicas=${isr}`,
    "auto.create.topics.enable=false",
    "",
  ].join("\n");
}

export function buildKafkaConfigMap(cc: ChatCluster): V1ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(cc, names.kafkaConfig(cc.metadata.name ?? ""), "kafka"),
    data: { "server.properties": renderKafkaProperties(cc) },
  };
}

/**
 * The init container: the pod's own server.properties (node id = StatefulSet ordinal, advertised listener =
 * its stable DNS name), then the KRaft storage format, which keeps an already formatted volume as it is.
 */
export function kafkaInitScript(cc: ChatCluster): string {
  const host = svcHost(cc, names.kafka(cc.metadata.name ?? ""));
  return `set -eu
id="\${POD_NAME##*-}"
{
  cat ${KAFKA.template}/server.properties
  echo "node.id=$id"
  echo "advertised.listeners=PLAINTEXT://$POD_NAME.${host}:${KAFKA_PORT}"
} >${KAFKA.rendered}/server.properties
exec ${KAFKA.bin}/kafka-storage.sh format --ignore-formatted -t "$CLUSTER_ID" -c ${KAFKA.rendered}/server.properties
`;
}

/** Heap at half the container's memory (limit, else request), the rest for page cache and metaspace. */
export function kafkaHeap(cc: ChatCluster): string {
  const r = managedKafka(cc).resources ?? DEFAULT_KAFKA_RESOURCES;
  const mem = r.limits?.memory ?? r.requests?.memory;
  const bytes = (mem === undefined ? undefined : parseQuantity(String(mem))) ?? 1024 ** 3;
  const mib = Math.max(256, Math.floor(bytes / 2 / 1024 ** 2));
  return `-Xms${mib}m -Xmx${mib}m`;
}

export function buildKafkaStatefulSet(cc: ChatCluster): V1StatefulSet {
  const c = cc.metadata.name ?? "";
  const k = managedKafka(cc);
  const name = names.kafka(c);
  const m = meta(cc, name, "kafka");
  const mounts = [
    { name: "data", mountPath: KAFKA.data },
    { name: "template", mountPath: KAFKA.template, readOnly: true },
    { name: "rendered", mountPath: KAFKA.rendered },
    { name: "tmp", mountPath: "/tmp" },
  ];
  const podName = { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } };
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
          securityContext: podSecurity(KAFKA_UID),
          serviceAccountName: serviceAccountFor(cc, "kafka"),
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 60,
          initContainers: [
            {
              name: "init",
              image: k.image,
              imagePullPolicy: "IfNotPresent",
              command: ["bash", "-c", kafkaInitScript(cc)],
              env: [podName, secretEnv("CLUSTER_ID", names.credentials(c), CREDENTIAL_KEYS.kafkaClusterId)],
              resources: INIT_RESOURCES,
              securityContext: readOnlyContainerSecurity,
              volumeMounts: mounts,
            },
          ],
          containers: [
            {
              name: "kafka",
              image: k.image,
              imagePullPolicy: "IfNotPresent",
              command: [`${KAFKA.bin}/kafka-server-start.sh`, `${KAFKA.rendered}/server.properties`],
              env: [{ name: "KAFKA_HEAP_OPTS", value: kafkaHeap(cc) }],
              ports: [
                { name: "kafka", containerPort: KAFKA_PORT, protocol: "TCP" },
                { name: "controller", containerPort: KAFKA_CONTROLLER_PORT, protocol: "TCP" },
              ],
              // Log recovery after an unclean stop can take minutes: liveness waits for the first success.
              startupProbe: { tcpSocket: { port: KAFKA_PORT }, periodSeconds: 5, failureThreshold: 120 },
              readinessProbe: { tcpSocket: { port: KAFKA_PORT }, periodSeconds: 5 },
              livenessProbe: {
                tcpSocket: { port: KAFKA_CONTROLLER_PORT },
                periodSeconds: 10,
                failureThreshold: 6,
              },
              resources: resources(k.resources ?? DEFAULT_KAFKA_RESOURCES),
              securityContext: readOnlyContainerSecurity,
              volumeMounts: mounts,
            },
          ],
          volumes: [
            { name: "template", configMap: { name: names.kafkaConfig(c) } },
            { name: "rendered", emptyDir: {} },
            { name: "tmp", emptyDir: {} },
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
