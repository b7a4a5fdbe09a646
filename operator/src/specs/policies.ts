// PodDisruptionBudgets, NetworkPolicies and HorizontalPodAutoscalers.
import type { V1PodDisruptionBudget, V2HorizontalPodAutoscaler, V2MetricSpec } from "@kubernetes/client-node";
import { type ChatCluster, ROLES, type RoleName } from "../api/index.js";
import type { KObject } from "../kube/resources.js";
import {
  COMPONENT,
  type Component,
  clean,
  KAFKA_CONTROLLER_PORT,
  KAFKA_PORT,
  MYSQL_PORT,
  meta,
  names,
  PLATFORM_LABEL,
  REDIS_PORT,
  selector,
} from "./common.js";
import { managedKafka } from "./kafka.js";

export function buildRolePDB(cc: ChatCluster, role: RoleName): V1PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta(cc, names.role(cc.metadata.name ?? "", role), role),
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(cc, role) } },
  };
}

/** Kafka keeps a quorum: at most one broker/controller down at a time (only with more than one). */
export function buildKafkaPDB(cc: ChatCluster): V1PodDisruptionBudget | undefined {
  if (cc.spec.kafka.external || managedKafka(cc).replicas < 2) return undefined;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta(cc, names.kafka(cc.metadata.name ?? ""), "kafka"),
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(cc, "kafka") } },
  };
}

type Peer = { podSelector: { matchLabels: Record<string, string> } };

// NetworkPolicy is built as plain JSON: client-node's model renames `from` to `_from`.
const platformPeer = (cc: ChatCluster): Peer => ({
  podSelector: {
    matchLabels: { "app.kubernetes.io/instance": cc.metadata.name ?? "", [PLATFORM_LABEL]: "true" },
  },
});

function netpol(
  cc: ChatCluster,
  what: string,
  component: Component,
  targets: Component[],
  from: Peer[],
  ports: number[],
): KObject {
  return clean({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(cc, names.netpol(cc.metadata.name ?? "", what), component),
    spec: {
      podSelector: {
        matchLabels: { "app.kubernetes.io/instance": cc.metadata.name ?? "" },
        matchExpressions: [{ key: COMPONENT, operator: "In", values: targets }],
      },
      policyTypes: ["Ingress"],
      ingress: [{ from, ports: ports.map((port) => ({ protocol: "TCP", port })) }],
    },
  });
}

/** Only platform pods reach MySQL, Redis and Kafka (Kafka pods also reach each other). */
export function buildNetworkPolicies(cc: ChatCluster): KObject[] {
  if (!cc.spec.networkPolicy.enabled) return [];
  const out = [netpol(cc, "mysql", "shard", ["catalog", "shard"], [platformPeer(cc)], [MYSQL_PORT])];
  if (!cc.spec.redis.external)
    out.push(netpol(cc, "redis", "redis", ["redis"], [platformPeer(cc)], [REDIS_PORT]));
  if (!cc.spec.kafka.external) {
    const kafkaPeer = { podSelector: { matchLabels: selector(cc, "kafka") } };
    out.push(
      netpol(
        cc,
        "kafka",
        "kafka",
        ["kafka"],
        [platformPeer(cc), kafkaPeer],
        [KAFKA_PORT, KAFKA_CONTROLLER_PORT],
      ),
    );
  }
  return out;
}

export function buildHPA(cc: ChatCluster, role: RoleName): V2HorizontalPodAutoscaler | undefined {
  const a = cc.spec.roles[role].autoscaling;
  if (!a.enabled) return undefined;
  const c = cc.metadata.name ?? "";
  const metric: V2MetricSpec = a.metric
    ? {
        type: "Pods",
        pods: {
          metric: { name: a.metric.name },
          target: { type: "AverageValue", averageValue: a.metric.targetAverageValue },
        },
      }
    : {
        type: "Resource",
        resource: {
          name: "cpu",
          target: { type: "Utilization", averageUtilization: a.targetCPUUtilizationPercentage },
        },
      };
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta(cc, names.role(c, role), role),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: names.role(c, role) },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [metric],
    },
  };
}

export const buildHPAs = (cc: ChatCluster) =>
  ROLES.map((r) => buildHPA(cc, r)).filter((h): h is V2HorizontalPodAutoscaler => h !== undefined);
