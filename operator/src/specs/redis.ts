// Managed Redis: a single-pod StatefulSet (append-only file on a volume when persistence is on), its config and
// its Service. redis-server runs by explicit command with the operator's config file.
import type { V1ConfigMap, V1Service, V1StatefulSet } from "@kubernetes/client-node";
import type { ChatCluster, ChatClusterSpecRedisManaged } from "../api/index.js";
import {
  clean,
  DEFAULT_REDIS_RESOURCES,
  INIT_RESOURCES,
  memoryVolume,
  meta,
  names,
  podSecurity,
  REDIS_PORT,
  readOnlyContainerSecurity,
  resources,
  secretEnv,
  selector,
  serviceAccountFor,
  svcHost,
} from "./common.js";
import { CREDENTIAL_KEYS } from "./secrets.js";

export function managedRedis(cc: ChatCluster): ChatClusterSpecRedisManaged {
  return (
    cc.spec.redis.managed ?? {
      image: "ghcr.io/chatcluster/redis:7.0",
      persistence: true,
      storage: { size: "1Gi" },
    }
  );
}

/** host:port the platform connects to, managed or external. */
export function redisEndpoint(cc: ChatCluster): string {
  const ext = cc.spec.redis.external;
  if (ext) return `${ext.host}:${ext.port}`;
  return `${svcHost(cc, names.redis(cc.metadata.name ?? ""))}:${REDIS_PORT}`;
}

export function buildRedisService(cc: ChatCluster): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(cc, names.redis(cc.metadata.name ?? ""), "redis"),
    spec: {
      type: "ClusterIP",
      selector: selector(cc, "redis"),
      ports: [{ name: "redis", port: REDIS_PORT, targetPort: REDIS_PORT, protocol: "TCP" }],
    },
  };
}

/** The `redis` user of the official image and of ours (hack/images/redis). */
const REDIS_UID = 999;
const REDIS = { config: "/etc/redis/chatcluster", auth: "/run/redis", data: "/data" } as const;

/** The server config; the password is not in it but in an included file written from the Secret at start. */
export function renderRedisConf(cc: ChatCluster): string {
  const r = managedRedis(cc);
  const lines = [
    `port ${REDIS_PORT}`,
    "bind * -::*",
    `dir ${REDIS.data}`,
    `appendonly ${r.persistence ? "yes" : "no"}`,
  ];
  if (!r.persistence) lines.push('save ""');
  lines.push(`include ${REDIS.auth}/auth.conf`, "");
  return lines.join("\n");
}

export function buildRedisConfigMap(cc: ChatCluster): V1ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(cc, names.redisConfig(cc.metadata.name ?? ""), "redis"),
    data: { "redis.conf": renderRedisConf(cc) },
  };
}

// The password goes into a file on a memory volume (never on a command line, where `ps` shows it).
// Redis config strings are double-quoted with \\ and \" escaped.
const REDIS_INIT = String.raw`set -eu
p=$(printf '%s' "$REDIS_PASSWORD" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
printf 'requirepass "%s"\n' "$p" >${REDIS.auth}/auth.conf
`;

export function buildRedisStatefulSet(cc: ChatCluster): V1StatefulSet {
  const c = cc.metadata.name ?? "";
  const r = managedRedis(cc);
  const name = names.redis(c);
  const m = meta(cc, name, "redis");
  const password = secretEnv("REDIS_PASSWORD", names.credentials(c), CREDENTIAL_KEYS.redisPassword);
  const mounts = [
    { name: "data", mountPath: REDIS.data },
    { name: "config", mountPath: REDIS.config, readOnly: true },
    { name: "auth", mountPath: REDIS.auth },
  ];
  // REDISCLI_AUTH keeps the password off redis-cli's command line too.
  const ping = {
    exec: { command: ["sh", "-c", 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -p 6379 ping | grep -q PONG'] },
  };
  return clean<V1StatefulSet>({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: m,
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: selector(cc, "redis") },
      updateStrategy: { type: "RollingUpdate" },
      persistentVolumeClaimRetentionPolicy: r.persistence
        ? { whenDeleted: "Retain", whenScaled: "Retain" }
        : undefined,
      template: {
        metadata: { labels: m.labels },
        spec: {
          securityContext: podSecurity(REDIS_UID),
          serviceAccountName: serviceAccountFor(cc, "redis"),
          automountServiceAccountToken: false,
          initContainers: [
            {
              name: "init",
              image: r.image,
              imagePullPolicy: "IfNotPresent",
              command: ["sh", "-c", REDIS_INIT],
              env: [password],
              resources: INIT_RESOURCES,
              securityContext: readOnlyContainerSecurity,
              volumeMounts: mounts,
            },
          ],
          containers: [
            {
              name: "redis",
              image: r.image,
              imagePullPolicy: "IfNotPresent",
              command: ["redis-server", `${REDIS.config}/redis.conf`],
              env: [password],
              ports: [{ name: "redis", containerPort: REDIS_PORT, protocol: "TCP" }],
              // Loading a large append-only file takes a while: liveness waits for the first success.
              startupProbe: { ...ping, periodSeconds: 2, timeoutSeconds: 5, failureThreshold: 150 },
              readinessProbe: { ...ping, periodSeconds: 5, timeoutSeconds: 5 },
              livenessProbe: { tcpSocket: { port: REDIS_PORT }, periodSeconds: 10, failureThreshold: 6 },
              resources: resources(r.resources ?? DEFAULT_REDIS_RESOURCES),
              securityContext: readOnlyContainerSecurity,
              volumeMounts: mounts,
            },
          ],
          volumes: [
            { name: "config", configMap: { name: names.redisConfig(c) } },
            memoryVolume("auth"),
            ...(r.persistence ? [] : [{ name: "data", emptyDir: {} }]),
          ],
        },
      },
      volumeClaimTemplates: r.persistence
        ? [
            {
              metadata: { name: "data", labels: m.labels },
              spec: {
                accessModes: ["ReadWriteOnce"],
                storageClassName: r.storage.storageClassName,
                resources: { requests: { storage: r.storage.size } },
              },
            },
          ]
        : undefined,
    },
  });
}
