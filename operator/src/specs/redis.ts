// Managed Redis: a single-pod StatefulSet (append-only file on a volume when persistence is on) and its Service.
import type { V1Service, V1StatefulSet } from "@kubernetes/client-node";
import type { ChatCluster, ChatClusterSpecRedisManaged } from "../api/index.js";
import {
  clean,
  meta,
  names,
  REDIS_PORT,
  resources,
  restrictedContainerSecurity,
  secretEnv,
  selector,
  svcHost,
} from "./common.js";
import { CREDENTIAL_KEYS } from "./secrets.js";

export function managedRedis(cc: ChatCluster): ChatClusterSpecRedisManaged {
  return cc.spec.redis.managed ?? { image: "redis:7.4", persistence: true, storage: { size: "1Gi" } };
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

export function buildRedisStatefulSet(cc: ChatCluster): V1StatefulSet {
  const c = cc.metadata.name ?? "";
  const r = managedRedis(cc);
  const name = names.redis(c);
  const m = meta(cc, name, "redis");
  const args = ["--requirepass", "$(REDIS_PASSWORD)", "--appendonly", r.persistence ? "yes" : "no"];
  if (!r.persistence) args.push("--save", "");
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
          securityContext: { runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true },
          containers: [
            {
              name: "redis",
              image: r.image,
              imagePullPolicy: "IfNotPresent",
              command: ["redis-server"],
              args,
              env: [secretEnv("REDIS_PASSWORD", names.credentials(c), CREDENTIAL_KEYS.redisPassword)],
              ports: [{ name: "redis", containerPort: REDIS_PORT, protocol: "TCP" }],
              readinessProbe: { tcpSocket: { port: REDIS_PORT }, initialDelaySeconds: 2, periodSeconds: 5 },
              livenessProbe: { tcpSocket: { port: REDIS_PORT }, initialDelaySeconds: 15, periodSeconds: 10 },
              resources: resources(r.resources),
              securityContext: restrictedContainerSecurity,
              volumeMounts: [{ name: "data", mountPath: "/data" }],
            },
          ],
          volumes: r.persistence ? undefined : [{ name: "data", emptyDir: {} }],
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
