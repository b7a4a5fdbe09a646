// Names, labels, owner references and small helpers shared by every builder. Builders are pure:
// (ChatCluster with defaults) → desired objects. No I/O, no clock, no randomness (except where injected).
import type { V1OwnerReference, V1ResourceRequirements } from "@kubernetes/client-node";
import { API_VERSION, type ChatCluster, KIND, type Resources } from "../api/index.js";

export const FIELD_MANAGER = "chatcluster-operator";
export const LABEL_PREFIX = "chat.chatcluster.io";
export const CLUSTER_LABEL = `${LABEL_PREFIX}/cluster`;
export const SHARD_LABEL = `${LABEL_PREFIX}/shard`;
export const PLATFORM_LABEL = `${LABEL_PREFIX}/platform`;
export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "chatcluster-operator";
export const COMPONENT = "app.kubernetes.io/component";
export const SPEC_HASH_ANNOTATION = `${LABEL_PREFIX}/spec-hash`;
export const FINALIZER = `${LABEL_PREFIX}/finalizer`;

export const MYSQL_PORT = 3306;
export const KAFKA_PORT = 9092;
export const KAFKA_CONTROLLER_PORT = 9093;
export const REDIS_PORT = 6379;
export const HTTP_PORT = 8080;

export type Component =
  | "catalog"
  | "shard"
  | "kafka"
  | "redis"
  | "gateway"
  | "realtime"
  | "worker"
  | "config";

export const names = {
  credentials: (c: string) => `${c}-credentials`,
  mysqlConfig: (c: string) => `${c}-mysql-config`,
  catalog: (c: string) => `${c}-catalog`,
  shard: (c: string, i: number) => `${c}-shard-${i}`,
  kafka: (c: string) => `${c}-kafka`,
  redis: (c: string) => `${c}-redis`,
  platformConfig: (c: string) => `${c}-platform`,
  role: (c: string, role: string) => `${c}-${role}`,
  netpol: (c: string, what: string) => `${c}-${what}`,
  monitor: (c: string) => `${c}-platform`,
  serviceAccount: (c: string, group: string) => `${c}-${group}`,
  kafkaConfig: (c: string) => `${c}-kafka-config`,
  redisConfig: (c: string) => `${c}-redis-config`,
};

/** Labels every object of one ChatCluster carries; the informers select on MANAGED_BY. */
export function labels(cc: ChatCluster, component: Component, extra: Record<string, string> = {}) {
  return {
    "app.kubernetes.io/name": "chatcluster",
    "app.kubernetes.io/instance": cc.metadata.name ?? "",
    [COMPONENT]: component,
    [MANAGED_BY]: MANAGED_BY_VALUE,
    [CLUSTER_LABEL]: cc.metadata.name ?? "",
    ...extra,
  };
}

/** The subset of labels used in selectors (immutable in StatefulSets/Deployments: never add to it). */
export function selector(cc: ChatCluster, component: Component, extra: Record<string, string> = {}) {
  return { "app.kubernetes.io/instance": cc.metadata.name ?? "", [COMPONENT]: component, ...extra };
}

export function ownerRef(cc: ChatCluster): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: cc.metadata.name ?? "",
    uid: cc.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function meta(
  cc: ChatCluster,
  name: string,
  component: Component,
  extra: Record<string, string> = {},
) {
  return {
    name,
    namespace: cc.metadata.namespace ?? "default",
    labels: labels(cc, component, extra),
    ownerReferences: [ownerRef(cc)],
  };
}

export function resources(r: Resources | undefined): V1ResourceRequirements | undefined {
  if (!r) return undefined;
  const conv = (m: Record<string, number | string> | undefined) =>
    m && Object.keys(m).length > 0
      ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]))
      : undefined;
  const out: V1ResourceRequirements = {};
  const requests = conv(r.requests);
  const limits = conv(r.limits);
  if (requests) out.requests = requests;
  if (limits) out.limits = limits;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The cluster's DNS domain. Names are fully qualified: a short `x.ns.svc` is first tried against every
 * search domain and then sent upstream, so a name that does not resolve yet (a spare shard) costs a full
 * upstream timeout, and those lookups starve the resolver threads the live connections need.
 */
export const CLUSTER_DOMAIN = "cluster.local";

/** Host of a per-pod or service DNS name inside the namespace. */
export function svcHost(cc: ChatCluster, service: string): string {
  return `${service}.${cc.metadata.namespace ?? "default"}.svc.${CLUSTER_DOMAIN}`;
}

export function secretEnv(envName: string, secret: string, key: string) {
  return { name: envName, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/** Drops undefined values so desired objects compare cleanly with what the API server returns. */
export function clean<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export const podAntiAffinity = (cc: ChatCluster, component: Component) => ({
  podAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      {
        weight: 100,
        podAffinityTerm: {
          topologyKey: "kubernetes.io/hostname",
          labelSelector: { matchLabels: selector(cc, component) },
        },
      },
    ],
  },
});

/** Container security that passes Pod Security `restricted` (with podSecurity() on the pod). */
export const restrictedContainerSecurity = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
};

/** The same, with a read-only root filesystem: every writable path is a mounted volume. */
export const readOnlyContainerSecurity = { ...restrictedContainerSecurity, readOnlyRootFilesystem: true };

/** Pod security for Pod Security `restricted`: a fixed non-root uid/gid and the runtime's seccomp profile. */
export function podSecurity(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** One ServiceAccount per workload group, with no API token mounted: no operand talks to the API server. */
export const serviceAccountFor = (cc: ChatCluster, group: ServiceAccountGroup) =>
  names.serviceAccount(cc.metadata.name ?? "", group);
export const SERVICE_ACCOUNT_GROUPS = ["mysql", "kafka", "redis", "platform"] as const;
export type ServiceAccountGroup = (typeof SERVICE_ACCOUNT_GROUPS)[number];

/** A memory-backed emptyDir, for files that carry secrets (never written to the node's disk). */
export const memoryVolume = (name: string) => ({ name, emptyDir: { medium: "Memory", sizeLimit: "1Mi" } });

/**
 * Resources where the spec gives none, so no operand runs BestEffort (first to be evicted) or unbounded.
 * Requests are small enough for a laptop kind cluster; production specs set their own.
 */
export const DEFAULT_MYSQL_RESOURCES: Resources = {
  requests: { cpu: "100m", memory: "256Mi" },
  limits: { memory: "1Gi" },
};
export const DEFAULT_KAFKA_RESOURCES: Resources = {
  requests: { cpu: "100m", memory: "768Mi" },
  limits: { memory: "1536Mi" },
};
export const DEFAULT_REDIS_RESOURCES: Resources = {
  requests: { cpu: "50m", memory: "64Mi" },
  limits: { memory: "512Mi" },
};
export const DEFAULT_PLATFORM_RESOURCES: Resources = {
  requests: { cpu: "50m", memory: "128Mi" },
  limits: { memory: "768Mi" },
};
/** Init containers (mariadb-install-db starts a bootstrap server; the Kafka format is a JVM). */
export const INIT_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "512Mi" } };
