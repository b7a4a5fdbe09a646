// MySQL (MariaDB): one my.cnf ConfigMap, the catalog StatefulSet and one StatefulSet per message shard,
// each with its headless Service and a PVC template. The server runs by explicit command; an init
// container bootstraps the data directory and the users, so no image entrypoint script is involved.
import type { V1ConfigMap, V1Service, V1StatefulSet } from "@kubernetes/client-node";
import type { ChatCluster } from "../api/index.js";
import {
  clean,
  DEFAULT_MYSQL_RESOURCES,
  INIT_RESOURCES,
  MYSQL_PORT,
  memoryVolume,
  meta,
  names,
  podAntiAffinity,
  podSecurity,
  readOnlyContainerSecurity,
  resources,
  SHARD_LABEL,
  secretEnv,
  selector,
  serviceAccountFor,
  svcHost,
} from "./common.js";
import { CREDENTIAL_KEYS } from "./secrets.js";

/** The `mysql` user of the official image and of ours (hack/images/mariadb). */
const MYSQL_UID = 999;
/** The MySQL user the operator creates on the catalog and every shard. */
export const MYSQL_USER = "chat";

export type MysqlTarget = { role: "catalog" } | { role: "shard"; index: number };

export const mysqlName = (cc: ChatCluster, t: MysqlTarget) =>
  t.role === "catalog" ? names.catalog(cc.metadata.name ?? "") : names.shard(cc.metadata.name ?? "", t.index);

/** host:port of the catalog or of one shard (the headless Service resolves to its single pod). */
export const mysqlEndpoint = (cc: ChatCluster, t: MysqlTarget) =>
  `${svcHost(cc, mysqlName(cc, t))}:${MYSQL_PORT}`;

/** Where the operator puts what it manages in the container (the image's own /etc/mysql is not read). */
export const MYSQL_PATHS = {
  config: "/etc/mysql/chatcluster",
  data: "/var/lib/mysql",
  run: "/run/mysqld",
  socket: "/run/mysqld/mysqld.sock",
  init: "/run/chatcluster",
} as const;

/**
 * The whole server configuration (mariadbd reads only this file: --defaults-file). User settings come
 * first and the managed keys after them, so a user key can never override datadir, socket or port.
 */
export function renderMyCnf(cc: ChatCluster): string {
  const d = cc.spec.mysql.durability;
  const lines = ["[mysqld]"];
  for (const [k, v] of Object.entries(cc.spec.mysql.extraConfig ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    lines.push(`${k} = ${v}`);
  }
  lines.push(
    `datadir = ${MYSQL_PATHS.data}`,
    `socket = ${MYSQL_PATHS.socket}`,
    `pid-file = ${MYSQL_PATHS.run}/mysqld.pid`,
    `port = ${MYSQL_PORT}`,
    "bind-address = 0.0.0.0",
    "tmpdir = /tmp",
    "character-set-server = utf8mb4",
    "collation-server = utf8mb4_unicode_ci",
    "skip-name-resolve",
    "transaction-isolation = READ-COMMITTED",
    `sync_binlog = ${d.syncBinlog}`,
    `innodb_flush_log_at_trx_commit = ${d.innodbFlushLogAtTrxCommit}`,
  );
  if (d.binlog) lines.push("log_bin = mysql-bin", "binlog_format = ROW", "expire_logs_days = 7");
  lines.push("", "[client]", `socket = ${MYSQL_PATHS.socket}`);
  return `${lines.join("\n")}\n`;
}

/**
 * The init container: a fresh volume gets a system database (mariadb-install-db), then the users and
 * grants are written as an init file that mariadbd runs at every start (so a rotated password applies on
 * the next restart). The file holds passwords, so it lives on a memory-backed volume only. Passwords
 * are SQL-escaped; they come from the credentials Secret through the environment, never the command line.
 */
export function mysqlInitScript(cc: ChatCluster): string {
  const db = cc.spec.mysql.database;
  const { data, init } = MYSQL_PATHS;
  return String.raw`set -eu
if [ ! -d ${data}/mysql ]; then
  mariadb-install-db --no-defaults --datadir=${data} --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve >/dev/null
fi
esc() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g"; }
root=$(esc "$MARIADB_ROOT_PASSWORD")
user=$(esc "$MARIADB_PASSWORD")
cat >${init}/init.sql <<EOF
CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${MYSQL_USER}'@'%' IDENTIFIED BY '$user';
ALTER USER '${MYSQL_USER}'@'%' IDENTIFIED BY '$user';
GRANT ALL PRIVILEGES ON \`${db}\`.* TO '${MYSQL_USER}'@'%';
ALTER USER 'root'@'localhost' IDENTIFIED BY '$root';
CREATE USER IF NOT EXISTS 'mysql'@'localhost' IDENTIFIED VIA unix_socket;
EOF
`;
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
  // `ping` answers once the server accepts connections (after InnoDB recovery); through the socket, as the
  // unix_socket user the init file creates, so probes need no password and log no denied logins.
  const ping = {
    exec: { command: ["mariadb-admin", `--socket=${MYSQL_PATHS.socket}`, "--user=mysql", "ping"] },
  };
  const m = meta(cc, name, t.role, targetLabels(t));
  const mounts = [
    { name: "data", mountPath: MYSQL_PATHS.data },
    { name: "config", mountPath: MYSQL_PATHS.config, readOnly: true },
    { name: "init", mountPath: MYSQL_PATHS.init },
    { name: "run", mountPath: MYSQL_PATHS.run },
    { name: "tmp", mountPath: "/tmp" },
  ];
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
          securityContext: podSecurity(MYSQL_UID),
          serviceAccountName: serviceAccountFor(cc, "mysql"),
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 60,
          initContainers: [
            {
              name: "init",
              image: cc.spec.mysql.image,
              imagePullPolicy: "IfNotPresent",
              command: ["bash", "-c", mysqlInitScript(cc)],
              env: [
                secretEnv("MARIADB_ROOT_PASSWORD", secret, CREDENTIAL_KEYS.mysqlRootPassword),
                secretEnv("MARIADB_PASSWORD", secret, CREDENTIAL_KEYS.mysqlPassword),
              ],
              resources: INIT_RESOURCES,
              securityContext: readOnlyContainerSecurity,
              volumeMounts: mounts,
            },
          ],
          containers: [
            {
              name: "mysql",
              image: cc.spec.mysql.image,
              imagePullPolicy: "IfNotPresent",
              command: [
                "mariadbd",
                `--defaults-file=${MYSQL_PATHS.config}/chatcluster.cnf`,
                `--init-file=${MYSQL_PATHS.init}/init.sql`,
              ],
              ports: [{ name: "mysql", containerPort: MYSQL_PORT, protocol: "TCP" }],
              // Crash recovery of a large InnoDB may take minutes: liveness waits for the first success.
              startupProbe: { ...ping, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 120 },
              readinessProbe: { ...ping, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
              livenessProbe: { ...ping, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
              resources: resources(cc.spec.mysql.resources ?? DEFAULT_MYSQL_RESOURCES),
              securityContext: readOnlyContainerSecurity,
              volumeMounts: mounts,
            },
          ],
          volumes: [
            { name: "config", configMap: { name: names.mysqlConfig(c) } },
            memoryVolume("init"),
            { name: "run", emptyDir: {} },
            { name: "tmp", emptyDir: {} },
          ],
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
