// The platform: one ConfigMap (non-secret settings) and one Deployment + Service per role (gateway, realtime,
// worker), all from one image. The env is exactly what services/src/config.ts parses (plus the two passwords
// the URLs expand); hack/proof/platform-config-contract.test.ts feeds it to that parser for every sample.
import { createHash } from "node:crypto";
import type { V1ConfigMap, V1Deployment, V1EnvVar, V1Service } from "@kubernetes/client-node";
import type { ChatCluster, RoleName } from "../api/index.js";
import { parseDuration } from "../rebalance/planner.js";
import {
  clean,
  DEFAULT_PLATFORM_RESOURCES,
  HTTP_PORT,
  LABEL_PREFIX,
  MYSQL_PORT,
  meta,
  names,
  PLATFORM_LABEL,
  podSecurity,
  readOnlyContainerSecurity,
  resources,
  secretEnv,
  selector,
  serviceAccountFor,
  svcHost,
} from "./common.js";
import { kafkaBootstrap, managedKafka } from "./kafka.js";
import { MYSQL_USER, mysqlName } from "./mysql.js";
import { redisEndpoint } from "./redis.js";
import { CREDENTIAL_KEYS } from "./secrets.js";

export interface ShardEndpoint {
  id: number;
  host: string;
  port: number;
}

/**
 * Every shard the operator may ever run, by shard id (= StatefulSet index): [0, maxShards). The platform's
 * shard i is the i-th URL of CHAT_MYSQL_SHARD_URLS followed by CHAT_MYSQL_SPARE_URLS.
 */
export function shardEndpoints(cc: ChatCluster): ShardEndpoint[] {
  return Array.from({ length: cc.spec.mysql.maxShards }, (_, id) => ({
    id,
    host: svcHost(cc, mysqlName(cc, { role: "shard", index: id })),
    port: MYSQL_PORT,
  }));
}

/** Helper variables only used for `$(VAR)` expansion in the URLs below; the platform does not parse them. */
export const EXPANSION_ONLY_ENV = ["CHAT_MYSQL_PASSWORD", "CHAT_REDIS_PASSWORD"] as const;
/** Changes with the ConfigMap's data, so a changed ConfigMap rolls the pods (envFrom is read at start). */
export const CONFIG_HASH_ANNOTATION = `${LABEL_PREFIX}/config-hash`;

// Generated passwords are base64url (A-Z a-z 0-9 - _), all unreserved in URLs, so `$(VAR)` can be
// substituted into the userinfo as is.
const mysqlUrl = (cc: ChatCluster, host: string) =>
  `mysql://${MYSQL_USER}:$(CHAT_MYSQL_PASSWORD)@${host}:${MYSQL_PORT}/${cc.spec.mysql.database}`;

export const catalogUrl = (cc: ChatCluster) => mysqlUrl(cc, svcHost(cc, mysqlName(cc, { role: "catalog" })));
/** The spec's shards, [0, spec.mysql.shards): active in the platform from the start. */
export const shardUrls = (cc: ChatCluster) =>
  shardEndpoints(cc)
    .slice(0, cc.spec.mysql.shards)
    .map((s) => mysqlUrl(cc, s.host));
/**
 * [spec.mysql.shards, maxShards): shards the rebalancer may add. Listed up front, so a scale-up by the
 * rebalancer (status.rebalance.desiredShards) never changes the pod template and never restarts the platform;
 * the rebalancer activates a spare through the admin API once its StatefulSet is Ready.
 */
export const spareUrls = (cc: ChatCluster) =>
  shardEndpoints(cc)
    .slice(cc.spec.mysql.shards)
    .map((s) => mysqlUrl(cc, s.host));

/** redis:// (rediss:// with TLS) with the password from CHAT_REDIS_PASSWORD when there is one. */
export function redisUrl(cc: ChatCluster): string {
  const ext = cc.spec.redis.external;
  const scheme = ext?.tls ? "rediss" : "redis";
  const auth = !ext || ext.passwordSecretRef ? ":$(CHAT_REDIS_PASSWORD)@" : "";
  return `${scheme}://${auth}${redisEndpoint(cc)}`;
}

/** The platform accepts 50 ms … 60 s (services/src/config.ts); the CRD's duration is clamped into that range. */
export function maxWritePauseMs(cc: ChatCluster): number {
  const ms = Math.round(parseDuration(cc.spec.sharding.rebalance.maxWritePause));
  return Math.min(Math.max(ms, 50), 60_000);
}

/** Non-secret settings the platform parses (services/src/config.ts), read through envFrom. */
export function buildPlatformConfigMap(cc: ChatCluster): V1ConfigMap {
  const kafkaExt = cc.spec.kafka.external;
  const data: Record<string, string> = {
    CHAT_HOST: "0.0.0.0",
    // Clients reach the pods through an ingress or proxy inside the cluster's private network: trust those
    // hops' X-Forwarded-For, or every client would share the proxy's address in the per-address limits.
    CHAT_TRUST_PROXY: "loopback,uniquelocal",
    CHAT_KAFKA_BROKERS: kafkaBootstrap(cc).join(","),
    CHAT_KAFKA_TLS: String(kafkaExt?.tls ?? false),
    // External Kafka: the broker's num.partitions (its topics may be managed outside, e.g. Strimzi).
    CHAT_KAFKA_PARTITIONS: String(kafkaExt ? 0 : managedKafka(cc).partitions),
    // spec.sharding.rebalance.maxWritePause: how long a moving room's writes may wait on the fence.
    CHAT_MOVE_MAX_WRITE_PAUSE_MS: String(maxWritePauseMs(cc)),
  };
  if (kafkaExt?.saslMechanism) data.CHAT_KAFKA_SASL_MECHANISM = kafkaExt.saslMechanism;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(cc, names.platformConfig(cc.metadata.name ?? ""), "config"),
    data,
  };
}

/**
 * The container's env, in order: `$(VAR)` only expands variables defined earlier in the list (or by envFrom),
 * so each password comes right before the URLs that use it.
 */
export function platformEnv(cc: ChatCluster, role: RoleName): V1EnvVar[] {
  const secret = names.credentials(cc.metadata.name ?? "");
  const env: V1EnvVar[] = [
    { name: "CHAT_ROLES", value: role },
    { name: "CHAT_PORT", value: String(HTTP_PORT) },
    { name: "CHAT_INSTANCE_ID", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    secretEnv("CHAT_MYSQL_PASSWORD", secret, CREDENTIAL_KEYS.mysqlPassword),
    { name: "CHAT_MYSQL_CATALOG_URL", value: catalogUrl(cc) },
    { name: "CHAT_MYSQL_SHARD_URLS", value: shardUrls(cc).join(",") },
  ];
  const spares = spareUrls(cc);
  if (spares.length > 0) env.push({ name: "CHAT_MYSQL_SPARE_URLS", value: spares.join(",") });
  const redisExt = cc.spec.redis.external;
  if (!redisExt) env.push(secretEnv("CHAT_REDIS_PASSWORD", secret, CREDENTIAL_KEYS.redisPassword));
  else if (redisExt.passwordSecretRef) {
    env.push(
      secretEnv("CHAT_REDIS_PASSWORD", redisExt.passwordSecretRef.name, redisExt.passwordSecretRef.key),
    );
  }
  env.push(
    { name: "CHAT_REDIS_URL", value: redisUrl(cc) },
    secretEnv("CHAT_JWT_SECRET", secret, CREDENTIAL_KEYS.jwtSigningKey),
    secretEnv("CHAT_ADMIN_TOKEN", secret, CREDENTIAL_KEYS.adminToken),
  );
  const creds = cc.spec.kafka.external?.credentialsSecretRef;
  if (creds) {
    env.push(secretEnv("CHAT_KAFKA_USERNAME", creds.name, creds.usernameKey));
    env.push(secretEnv("CHAT_KAFKA_PASSWORD", creds.name, creds.passwordKey));
  }
  return env;
}

const configHash = (cc: ChatCluster) =>
  createHash("sha256")
    .update(JSON.stringify(buildPlatformConfigMap(cc).data))
    .digest("hex")
    .slice(0, 16);

/** Any non-root uid works: the image runs from read-only files and writes only /tmp. */
const PLATFORM_UID = 10001;

export const platformImage = (cc: ChatCluster) => `${cc.spec.image}:${cc.spec.version}`;

export function buildRoleDeployment(cc: ChatCluster, role: RoleName): V1Deployment {
  const c = cc.metadata.name ?? "";
  const spec = cc.spec.roles[role];
  const m = meta(cc, names.role(c, role), role, { [PLATFORM_LABEL]: "true" });
  return clean<V1Deployment>({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: m,
    spec: {
      // Under autoscaling the HPA owns replicas: leaving the field out keeps our apply from fighting it.
      replicas: spec.autoscaling.enabled ? undefined : spec.replicas,
      selector: { matchLabels: selector(cc, role) },
      revisionHistoryLimit: 5,
      // Zero unavailable during a version change: new pods surge in before old ones leave.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: m.labels, annotations: { [CONFIG_HASH_ANNOTATION]: configHash(cc) } },
        spec: {
          securityContext: podSecurity(PLATFORM_UID),
          serviceAccountName: serviceAccountFor(cc, "platform"),
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: selector(cc, role) },
            },
          ],
          containers: [
            {
              name: "platform",
              image: platformImage(cc),
              imagePullPolicy: cc.spec.imagePullPolicy,
              env: platformEnv(cc, role),
              envFrom: [{ configMapRef: { name: names.platformConfig(c) } }],
              ports: [{ name: "http", containerPort: HTTP_PORT, protocol: "TCP" }],
              readinessProbe: {
                httpGet: { path: "/readyz", port: "http" },
                periodSeconds: 5,
                failureThreshold: 3,
              },
              livenessProbe: {
                httpGet: { path: "/healthz", port: "http" },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                failureThreshold: 6,
              },
              resources: resources(spec.resources ?? DEFAULT_PLATFORM_RESOURCES),
              securityContext: readOnlyContainerSecurity,
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: {} }],
        },
      },
    },
  });
}

export function buildRoleService(cc: ChatCluster, role: RoleName): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(cc, names.role(cc.metadata.name ?? "", role), role, { [PLATFORM_LABEL]: "true" }),
    spec: {
      type: "ClusterIP",
      selector: selector(cc, role),
      ports: [{ name: "http", port: HTTP_PORT, targetPort: "http", protocol: "TCP" }],
    },
  };
}
