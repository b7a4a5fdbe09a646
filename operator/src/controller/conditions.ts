// The one catalog of condition types, reasons, phases and event reasons the operator reports.
export const ConditionType = {
  Ready: "Ready",
  Progressing: "Progressing",
  Degraded: "Degraded",
  Rebalancing: "Rebalancing",
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const Reason = {
  AllComponentsReady: "AllComponentsReady",
  ComponentsNotReady: "ComponentsNotReady",
  Provisioning: "Provisioning",
  RollingUpdate: "RollingUpdate",
  ScalingShards: "ScalingShards",
  Reconciled: "Reconciled",
  ReconcileError: "ReconcileError",
  MissingSecret: "MissingSecret",
  Deleting: "Deleting",
  RebalanceDisabled: "RebalanceDisabled",
  RebalanceIdle: "RebalanceIdle",
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export const Phase = {
  Pending: "Pending",
  Provisioning: "Provisioning",
  Ready: "Ready",
  Upgrading: "Upgrading",
  Degraded: "Degraded",
  Deleting: "Deleting",
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/** Reasons of Kubernetes Events the operator emits for significant actions. */
export const EventReason = {
  SecretCreated: "SecretCreated",
  ObjectCreated: "Created",
  ObjectUpdated: "Updated",
  ObjectDeleted: "Pruned",
  ShardAdded: "ShardAdded",
  RolloutStarted: "RolloutStarted",
  ClusterReady: "ClusterReady",
  ClusterDegraded: "ClusterDegraded",
  ReconcileError: "ReconcileError",
  VolumesDeleted: "VolumesDeleted",
  VolumesRetained: "VolumesRetained",
  MissingSecret: "MissingSecret",
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];
