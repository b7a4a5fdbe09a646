// The platform: one ConfigMap (catalog, shard endpoints, Kafka, Redis) and one Deployment + Service per
// role (gateway, realtime, worker), all from one image.
import type { V1ConfigMap, V1Deployment, V1EnvVar, V1Service } from "@kubernetes/client-node";
import { type ChatCluster, effectiveShards, type RoleName } from "../api/index.js";
import {
  clean,
  HTTP_PORT,
  MYSQL_PORT,
  meta,
  names,
  PLATFORM_LABEL,
  resources,
  restrictedContainerSecurity,
  secretEnv,
  selector,
  svcHost,
} from "./common.js";
import { kafkaBootstrap, managedKafka } from "./kafka.js";
import { mysqlName } from "./mysql.js";
import { redisEndpoint } from "./redis.js";
import { CREDENTIAL_KEYS } from "./secrets.js";

export const CONFIG_MOUNT = "/etc/chatcluster";

export interface ShardEndpoint {
  id: number;
  host: string;
  port: number;
}

export function shardEndpoints(cc: ChatCluster): ShardEndpoint[] {
  return Array.from({ length: effectiveShards(cc) }, (_, id) => ({
    id,
    host: svcHost(cc, mysqlName(cc, { role: "shard", index: id })),
    port: MYSQL_PORT,
  }));
}

export function buildPlatformConfigMap(cc: ChatCluster): V1ConfigMap {
  const shards = shardEndpoints(cc);
  const kafkaExt = cc.spec.kafka.external;
  const redisExt = cc.spec.redis.external;
  const data: Record<string, string> = {
    CHAT_CLUSTER_NAME: cc.metadata.name ?? "",
    CHAT_CATALOG_HOST: svcHost(cc, mysqlName(cc, { role: "catalog" })),
    CHAT_CATALOG_PORT: String(MYSQL_PORT),
    CHAT_MYSQL_DATABASE: cc.spec.mysql.database,
    CHAT_MYSQL_USER: "chat",
    CHAT_SHARDS: shards.map((s) => `${s.id}=${s.host}:${s.port}`).join(","),
    CHAT_SHARDS_FILE: `${CONFIG_MOUNT}/shards.json`,
    CHAT_PLACEMENT: cc.spec.sharding.placement,
    CHAT_KAFKA_BROKERS: kafkaBootstrap(cc).join(","),
    CHAT_KAFKA_TLS: String(kafkaExt?.tls ?? false),
    CHAT_KAFKA_PARTITIONS: String(kafkaExt ? 0 : managedKafka(cc).partitions),
    CHAT_REDIS_ADDR: redisEndpoint(cc),
    CHAT_REDIS_TLS: String(redisExt?.tls ?? false),
    "shards.json": `${JSON.stringify({ shards }, null, 2)}\n`,
  };
  if (kafkaExt?.saslMechanism) data.CHAT_KAFKA_SASL_MECHANISM = kafkaExt.saslMechanism;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(cc, names.platformConfig(cc.metadata.name ?? ""), "config"),
    data,
  };
}

function secretEnvs(cc: ChatCluster): V1EnvVar[] {
  const secret = names.credentials(cc.metadata.name ?? "");
  const env: V1EnvVar[] = [
    secretEnv("CHAT_MYSQL_PASSWORD", secret, CREDENTIAL_KEYS.mysqlPassword),
    secretEnv("CHAT_JWT_SECRET", secret, CREDENTIAL_KEYS.jwtSigningKey),
    secretEnv("CHAT_ADMIN_TOKEN", secret, CREDENTIAL_KEYS.adminToken),
  ];
  const redisExt = cc.spec.redis.external;
  if (!redisExt) env.push(secretEnv("CHAT_REDIS_PASSWORD", secret, CREDENTIAL_KEYS.redisPassword));
  else if (redisExt.passwordSecretRef) {
    env.push(
      secretEnv("CHAT_REDIS_PASSWORD", redisExt.passwordSecretRef.name, redisExt.passwordSecretRef.key),
    );
  }
  const creds = cc.spec.kafka.external?.credentialsSecretRef;
  if (creds) {
    env.push(secretEnv("CHAT_KAFKA_USERNAME", creds.name, creds.usernameKey));
    env.push(secretEnv("CHAT_KAFKA_PASSWORD", creds.name, creds.passwordKey));
  }
  return env;
}

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
        metadata: { labels: m.labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
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
              env: [
                { name: "CHAT_ROLES", value: role },
                { name: "CHAT_VERSION", value: cc.spec.version },
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                ...secretEnvs(cc),
              ],
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
              resources: resources(spec.resources),
              securityContext: { ...restrictedContainerSecurity, readOnlyRootFilesystem: true },
              volumeMounts: [
                { name: "config", mountPath: CONFIG_MOUNT, readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name: names.platformConfig(c) } },
            { name: "tmp", emptyDir: {} },
          ],
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
