// Every object a ChatCluster should have, from the pure builders (the phases call the same builders
// one group at a time; a unit test checks the two agree).
import { type ChatCluster, effectiveShards, kafkaManaged, ROLES, redisManaged } from "../api/index.js";
import type { KObject } from "../kube/resources.js";
import { buildServiceAccount, serviceAccountGroups } from "./accounts.js";
import { buildKafkaConfigMap, buildKafkaService, buildKafkaStatefulSet } from "./kafka.js";
import { buildPrometheusRule, buildServiceMonitor } from "./monitoring.js";
import { buildMysqlConfigMap, buildMysqlService, buildMysqlStatefulSet } from "./mysql.js";
import { buildPlatformConfigMap, buildRoleDeployment, buildRoleService } from "./platform.js";
import { buildHPA, buildKafkaPDB, buildNetworkPolicies, buildRolePDB } from "./policies.js";
import { buildRedisConfigMap, buildRedisService, buildRedisStatefulSet } from "./redis.js";

export function desiredObjects(cc: ChatCluster, opts: { monitoring?: boolean } = {}): KObject[] {
  const out: (object | undefined)[] = serviceAccountGroups(cc).map((g) => buildServiceAccount(cc, g));
  out.push(buildMysqlConfigMap(cc));
  out.push(buildMysqlService(cc, { role: "catalog" }), buildMysqlStatefulSet(cc, { role: "catalog" }));
  for (let index = 0; index < effectiveShards(cc); index++) {
    out.push(
      buildMysqlService(cc, { role: "shard", index }),
      buildMysqlStatefulSet(cc, { role: "shard", index }),
    );
  }
  if (kafkaManaged(cc))
    out.push(buildKafkaConfigMap(cc), buildKafkaService(cc), buildKafkaStatefulSet(cc), buildKafkaPDB(cc));
  if (redisManaged(cc)) out.push(buildRedisConfigMap(cc), buildRedisService(cc), buildRedisStatefulSet(cc));
  out.push(buildPlatformConfigMap(cc));
  for (const r of ROLES) out.push(buildRoleDeployment(cc, r), buildRoleService(cc, r));
  for (const r of ROLES) out.push(buildRolePDB(cc, r));
  out.push(...buildNetworkPolicies(cc));
  for (const r of ROLES) out.push(buildHPA(cc, r));
  if (opts.monitoring && cc.spec.monitoring.enabled)
    out.push(buildServiceMonitor(cc), buildPrometheusRule(cc));
  return out.filter((o): o is KObject => o !== undefined);
}
