// Inputs and outputs of the rebalancing planner (issue 6). Plain data only: the planner is pure, so everything
// it knows arrives here and everything it decides leaves here. Times are epoch milliseconds (the caller converts
// the ISO strings of status.rebalance), rates are message writes per second.
import type { ChatClusterStatusShard } from "../api/index.js";

/** One room's share of a shard's writes, from the platform's decaying top-K (admin API). */
export interface RoomHeat {
  roomId: string;
  writesPerSecond: number;
}

export interface ShardLoad {
  index: number;
  /** status.shards[].state. Provisioning shards have never been Ready: no capacity yet, never a target. */
  state: ChatClusterStatusShard["state"];
  /** The shard's StatefulSet is ready right now; only ready shards receive rooms. */
  ready: boolean;
  /** Measured write rate (Prometheus). */
  writesPerSecond: number;
  /** 100 % load of this shard; defaults to the policy's shardCapacityWritesPerSecond. */
  capacityWritesPerSecond?: number;
  /** Hottest rooms on this shard (top-K, any order). Rooms outside it are never moved. */
  hotRooms: RoomHeat[];
}

export interface LoadSnapshot {
  shards: ShardLoad[];
  /** Shards the operator runs or has been asked for: max(spec.mysql.shards, status.rebalance.desiredShards). */
  shardCount: number;
  /** spec.mysql.maxShards. */
  maxShards: number;
}

/** A move the rebalancer started (from status.rebalance.moves[]). */
export interface MoveRecord {
  roomId: string;
  from: number;
  to: number;
  /** When it was issued. */
  startedAt: number;
  /** When it finished (status.rebalance.moves[].finishTime); the per-room cooldown runs from here if set. */
  finishedAt?: number;
}

export interface RebalanceHistory {
  /** Moves issued recently (any outcome), used for the per-room cooldown. Older ones may be left out. */
  recentMoves: MoveRecord[];
  /** Moves not yet finished (Pending … CleaningUp). They count against maxConcurrentMoves. */
  inProgress: MoveRecord[];
  /** Last time a shard was asked for. */
  lastScaleUpTime?: number;
  /** status.rebalance.lastActionTime: the last action of any kind. */
  lastActionTime?: number;
}

/**
 * The CRD's spec.sharding.rebalance, with durations already in milliseconds (see policyFromSpec). Every field is
 * a CRD field; the planner needs no knob the CRD lacks.
 */
export interface PlannerPolicy {
  mode: "Disabled" | "DryRun" | "Auto";
  shardCapacityWritesPerSecond: number;
  addShardThresholdPercent: number;
  moveThresholdPercent: number;
  hysteresisPercent: number;
  cooldownMs: number;
  maxConcurrentMoves: number;
}

export interface PlanInput {
  snapshot: LoadSnapshot;
  policy: PlannerPolicy;
  history: RebalanceHistory;
  now: number;
}

export interface AddShardAction {
  type: "addShard";
  /** The shard count to write to status.rebalance.desiredShards (never above maxShards). */
  desiredShards: number;
  reason: string;
}

export interface MoveRoomAction {
  type: "moveRoom";
  roomId: string;
  from: number;
  to: number;
  /** The room's write rate the planner expects to move with it. */
  expectedRate: number;
  reason: string;
}

export type RebalanceAction = AddShardAction | MoveRoomAction;

export interface Plan {
  actions: RebalanceAction[];
  /** Total writes / capacity of the shards that have capacity, in percent (status.rebalance.fleetLoadPercent). */
  fleetLoadPercent: number;
  /** Why the plan is what it is, also when it is empty (for logs, status and Events). */
  summary: string;
}
