// One ServiceAccount per workload group (MySQL, Kafka, Redis, the platform), so no operand runs as the
// namespace's default account; none of them talks to the API server, so none gets a token.
import type { V1ServiceAccount } from "@kubernetes/client-node";
import type { ChatCluster } from "../api/index.js";
import {
  type Component,
  meta,
  SERVICE_ACCOUNT_GROUPS,
  type ServiceAccountGroup,
  serviceAccountFor,
} from "./common.js";

const COMPONENT_OF: Record<ServiceAccountGroup, Component> = {
  mysql: "shard",
  kafka: "kafka",
  redis: "redis",
  platform: "config",
};

/** The groups this spec runs in the cluster (external Kafka or Redis need no account). */
export function serviceAccountGroups(cc: ChatCluster): ServiceAccountGroup[] {
  return SERVICE_ACCOUNT_GROUPS.filter(
    (g) => (g !== "kafka" || !cc.spec.kafka.external) && (g !== "redis" || !cc.spec.redis.external),
  );
}

export function buildServiceAccount(cc: ChatCluster, group: ServiceAccountGroup): V1ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: meta(cc, serviceAccountFor(cc, group), COMPONENT_OF[group]),
    automountServiceAccountToken: false,
  };
}
