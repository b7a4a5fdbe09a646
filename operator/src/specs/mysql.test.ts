import { describe, expect, it } from "vitest";
import { newChatCluster } from "../testing/fake.js";
import {
  buildMysqlConfigMap,
  buildMysqlService,
  buildMysqlStatefulSet,
  mysqlEndpoint,
  renderMyCnf,
} from "./mysql.js";

describe("MySQL builders", () => {
  const cc = newChatCluster({
    mysql: {
      shards: 3,
      storage: { size: "20Gi", storageClassName: "fast" },
      catalogStorage: { size: "5Gi" },
      resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: 2147483648 } },
      durability: { syncBinlog: 0, innodbFlushLogAtTrxCommit: 2, binlog: false },
      extraConfig: { max_connections: "500", innodb_buffer_pool_size: "1G" },
    },
  });
  cc.metadata.uid = "uid-1";

  it("renders my.cnf with the durability settings and sorted extra config", () => {
    const cnf = renderMyCnf(cc);
    expect(cnf).toContain("sync_binlog = 0\n");
    expect(cnf).toContain("innodb_flush_log_at_trx_commit = 2\n");
    expect(cnf).not.toContain("log_bin");
    expect(cnf.indexOf("innodb_buffer_pool_size")).toBeLessThan(cnf.indexOf("max_connections"));
    expect(buildMysqlConfigMap(cc).data?.["chatcluster.cnf"]).toBe(cnf);
    expect(renderMyCnf(newChatCluster())).toContain("log_bin = mysql-bin");
  });

  it("builds one StatefulSet per shard with PVC template, probes, resources, anti-affinity and owner", () => {
    const sts = buildMysqlStatefulSet(cc, { role: "shard", index: 2 });
    expect(sts.metadata?.name).toBe("chat-shard-2");
    expect(sts.metadata?.ownerReferences).toEqual([
      {
        apiVersion: "chat.chatcluster.io/v1alpha1",
        kind: "ChatCluster",
        name: "chat",
        uid: "uid-1",
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(sts.metadata?.labels?.["chat.chatcluster.io/shard"]).toBe("2");
    const spec = sts.spec!;
    expect(spec.serviceName).toBe("chat-shard-2");
    expect(spec.replicas).toBe(1);
    expect(spec.selector.matchLabels).toEqual({
      "app.kubernetes.io/instance": "chat",
      "app.kubernetes.io/component": "shard",
      "chat.chatcluster.io/shard": "2",
    });
    const vct = spec.volumeClaimTemplates?.[0];
    expect(vct?.spec?.resources?.requests).toEqual({ storage: "20Gi" });
    expect(vct?.spec?.storageClassName).toBe("fast");
    const c = spec.template.spec?.containers[0];
    const ping = ["mariadb-admin", "--socket=/run/mysqld/mysqld.sock", "--user=mysql", "ping"];
    expect(c?.readinessProbe?.exec?.command).toEqual(ping);
    expect(c?.livenessProbe?.exec?.command).toEqual(ping);
    expect(c?.startupProbe?.failureThreshold).toBeGreaterThanOrEqual(60);
    expect(c?.command).toEqual([
      "mariadbd",
      "--defaults-file=/etc/mysql/chatcluster/chatcluster.cnf",
      "--init-file=/run/chatcluster/init.sql",
    ]);
    expect(c?.resources).toEqual({
      requests: { cpu: "500m", memory: "1Gi" },
      limits: { memory: "2147483648" },
    });
    const init = spec.template.spec?.initContainers?.[0];
    expect(init?.env?.find((e) => e.name === "MARIADB_ROOT_PASSWORD")?.valueFrom?.secretKeyRef).toEqual({
      name: "chat-credentials",
      key: "mysql-root-password",
    });
    expect(
      spec.template.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]
        ?.podAffinityTerm.topologyKey,
    ).toBe("kubernetes.io/hostname");
    expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
  });

  it("the catalog uses catalogStorage over storage", () => {
    const sts = buildMysqlStatefulSet(cc, { role: "catalog" });
    expect(sts.metadata?.name).toBe("chat-catalog");
    expect(sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage).toBe("5Gi");
    expect(sts.spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName).toBe("fast");
  });

  it("headless Services and endpoints", () => {
    const svc = buildMysqlService(cc, { role: "shard", index: 0 });
    expect(svc.spec?.clusterIP).toBe("None");
    expect(svc.spec?.ports?.[0]?.port).toBe(3306);
    expect(mysqlEndpoint(cc, { role: "shard", index: 1 })).toBe("chat-shard-1.ns.svc.cluster.local:3306");
  });

  it("omits unset fields entirely (clean diffs)", () => {
    const sts = buildMysqlStatefulSet(newChatCluster(), { role: "shard", index: 0 });
    expect(JSON.stringify(sts)).not.toContain(":null");
    // No resources in the spec: the defaults, never BestEffort.
    expect(sts.spec?.template.spec?.containers[0]?.resources?.requests).toEqual({
      cpu: "100m",
      memory: "256Mi",
    });
    expect(sts.spec?.volumeClaimTemplates?.[0]?.spec).not.toHaveProperty("storageClassName");
  });
});
