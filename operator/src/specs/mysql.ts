// MySQL (MariaDB): one my.cnf ConfigMap, the catalog StatefulSet and one StatefulSet per message shard,
// each with its headless Service and a PVC template.
import type { V1ConfigMap, V1Service, V1StatefulSet } from "@kubernetes/client-node";
import type { ChatCluster } from "../api/index.js";
import {
  clean,
  MYSQL_PORT,
  meta,
  names,
  podAntiAffinity,
  resources,
  SHARD_LABEL,
  secretEnv,
  selector,
  svcHost,
} from "./common.js";
import { CREDENTIAL_KEYS } from "./secrets.js";

export type MysqlTarget = { role: "catalog" } | { role: "shard"; index: number };

export const mysqlName = (cc: ChatCluster, t: MysqlTarget) =>
  t.role === "catalog" ? names.catalog(cc.metadata.name ?? "") : names.shard(cc.metadata.name ?? "", t.index);

/** host:port of the catalog or of one shard (the headless Service resolves to its single pod). */
export const mysqlEndpoint = (cc: ChatCluster, t: MysqlTarget) =>
  `${svcHost(cc, mysqlName(cc, t))}:${MYSQL_PORT}`;

export function renderMyCnf(cc: ChatCluster): string {
  const d = cc.spec.mysql.durability;
  const lines = [
    "[mysqld]",
    "character-set-server = utf8mb4",
    "collation-server = utf8mb4_unicode_ci",
    "skip-name-resolve",
    "transaction-isolation = READ-COMMITTED",
    `sync_binlog = ${d.syncBinlog}`,
    `innodb_flush_log_at_trx_commit = ${d.innodbFlushLogAtTrxCommit}`,
  ];
  if (d.binlog) lines.push("log_bin = mysql-bin", "binlog_format = ROW", "expire_logs_days = 7");
  for (const [k, v] of Object.entries(cc.spec.mysql.extraConfig ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    lines.push(`${k} = ${v}`);
  }
  return `${lines.join("\n")}\n`;
}

export function buildMysqlConfigMap(cc: ChatCluster): V1ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(cc, names.mysqlConfig(cc.metadata.name ?? ""), "catalog"),
    data: { "chatcluster.cnf": renderMyCnf(cc) },
  };
}

function targetLabels(t: MysqlTarget): Record<string, string> {
  return t.role === "shard" ? { [SHARD_LABEL]: String(t.index) } : {};
}

export function buildMysqlService(cc: ChatCluster, t: MysqlTarget): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(cc, mysqlName(cc, t), t.role, targetLabels(t)),
    spec: {
      clusterIP: "None",
      selector: selector(cc, t.role, targetLabels(t)),
      ports: [{ name: "mysql", port: MYSQL_PORT, targetPort: MYSQL_PORT, protocol: "TCP" }],
    },
  };
}

export function buildMysqlStatefulSet(cc: ChatCluster, t: MysqlTarget): V1StatefulSet {
  const c = cc.metadata.name ?? "";
  const name = mysqlName(cc, t);
  const sel = selector(cc, t.role, targetLabels(t));
  const storage =
    t.role === "catalog"
      ? { ...cc.spec.mysql.storage, ...cc.spec.mysql.catalogStorage }
      : cc.spec.mysql.storage;
  const secret = names.credentials(c);
  const health = (args: string[]) => ({ exec: { command: ["healthcheck.sh", ...args] } });
  const m = meta(cc, name, t.role, targetLabels(t));
  return clean<V1StatefulSet>({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: m,
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: sel },
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate" },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      template: {
        metadata: { labels: m.labels },
        spec: {
          affinity: podAntiAffinity(cc, t.role === "catalog" ? "catalog" : "shard"),
          securityContext: { runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true },
          terminationGracePeriodSeconds: 60,
          containers: [
            {
              name: "mysql",
              image: cc.spec.mysql.image,
              imagePullPolicy: "IfNotPresent",
              env: [
                secretEnv("MARIADB_ROOT_PASSWORD", secret, CREDENTIAL_KEYS.mysqlRootPassword),
                { name: "MARIADB_DATABASE", value: cc.spec.mysql.database },
                { name: "MARIADB_USER", value: "chat" },
                secretEnv("MARIADB_PASSWORD", secret, CREDENTIAL_KEYS.mysqlPassword),
                { name: "MARIADB_AUTO_UPGRADE", value: "1" },
              ],
              ports: [{ name: "mysql", containerPort: MYSQL_PORT, protocol: "TCP" }],
              readinessProbe: {
                ...health(["--connect", "--innodb_initialized"]),
                initialDelaySeconds: 5,
                periodSeconds: 5,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              livenessProbe: {
                ...health(["--connect"]),
                initialDelaySeconds: 30,
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 6,
              },
              resources: resources(cc.spec.mysql.resources),
              volumeMounts: [
                { name: "data", mountPath: "/var/lib/mysql" },
                { name: "config", mountPath: "/etc/mysql/conf.d", readOnly: true },
              ],
            },
          ],
          volumes: [{ name: "config", configMap: { name: names.mysqlConfig(c) } }],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: m.labels },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: storage.storageClassName,
            resources: { requests: { storage: storage.size ?? cc.spec.mysql.storage.size } },
          },
        },
      ],
    },
  });
}
