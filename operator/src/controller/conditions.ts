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
  /** A shard the rebalancer asked for is not Ready yet. */
  AddingShard: "AddingShard",
  /** A Ready shard is being registered (activated) with the platform. */
  RegisteringShard: "RegisteringShard",
  /** Room moves are open. */
  MovingRooms: "MovingRooms",
  /** The Prometheus of spec.sharding.rebalance.prometheus.url could not be queried. */
  PrometheusUnavailable: "PrometheusUnavailable",
  /** The platform's admin API could not be reached or refused the operator. */
  PlatformUnavailable: "PlatformUnavailable",
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
  /** The rebalancer raised status.rebalance.desiredShards. */
  ShardRequested: "ShardRequested",
  /** A new shard was activated in the platform's catalog. */
  ShardRegistered: "ShardRegistered",
  MoveStarted: "MoveStarted",
  MoveSucceeded: "MoveSucceeded",
  MoveFailed: "MoveFailed",
  /** Prometheus or the platform's admin API could not be used; the rebalancer retries with backoff. */
  RebalanceUnavailable: "RebalanceUnavailable",
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];
