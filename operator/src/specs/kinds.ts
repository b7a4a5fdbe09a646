// The kinds of object a ChatCluster owns, in one list: the controller watches them and the prune phase
// deletes the ones no longer desired, so a kind added to the builders is added here once for both.
import { MONITORING_API } from "./monitoring.js";

export type Kind = [apiVersion: string, kind: string];

/** Always served by the API server; watched from start-up. */
export const CHILD_KINDS: Kind[] = [
  ["v1", "ConfigMap"],
  ["v1", "Secret"],
  ["v1", "ServiceAccount"],
  ["v1", "Service"],
  ["apps/v1", "StatefulSet"],
  ["apps/v1", "Deployment"],
  ["policy/v1", "PodDisruptionBudget"],
  ["networking.k8s.io/v1", "NetworkPolicy"],
  ["autoscaling/v2", "HorizontalPodAutoscaler"],
];

/** Served only where the Prometheus operator is installed; watched once discovered. */
export const OPTIONAL_KINDS: Kind[] = [
  [MONITORING_API, "ServiceMonitor"],
  [MONITORING_API, "PrometheusRule"],
];

/** Everything owned except the credentials Secret, which outlives specs (and, under Retain, the cluster). */
export const PRUNABLE_KINDS: Kind[] = [...CHILD_KINDS, ...OPTIONAL_KINDS].filter(
  ([, kind]) => kind !== "Secret",
);
