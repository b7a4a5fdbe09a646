// What the rebalance phase reads from and writes to status.rebalance, as pure functions: the planner's
// inputs from status and gathered data, moves merged with the platform's view and kept bounded, and the
// Rebalancing condition. No I/O here, so the phase (reconcile/rebalance.ts) stays a thin driver.
import {
  type ChatCluster,
  type ChatClusterStatus,
  type ChatClusterStatusRebalanceMove,
  effectiveShards,
} from "../api/index.js";
import { ConditionType, Reason } from "../controller/conditions.js";
import type { ConditionInput } from "../controller/status.js";
import { HTTP_PORT, names, svcHost } from "../specs/common.js";
import { type AdminMove, MOVE_STATES, type RebalanceEnv, TERMINAL_MOVE_STATES } from "./admin.js";
import type { LoadSnapshot, MoveRecord, RebalanceAction } from "./planner.js";

/** Finished moves kept in status next to the open ones (the CRD allows 128 entries in all). */
export const FINISHED_MOVES_KEPT = 20;

export type Move = ChatClusterStatusRebalanceMove;

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
export const isOpen = (m: Move) => !TERMINAL_MOVE_STATES.has(m.state);

/** The admin base URL: the override, else the gateway's in-cluster Service. */
export function adminUrl(cc: ChatCluster, env: RebalanceEnv): string {
  return env.adminUrl ?? `http://${svcHost(cc, names.role(cc.metadata.name ?? "", "gateway"))}:${HTTP_PORT}`;
}

/** A status move updated from the platform's view of it. */
export function mergeMove(m: Move, a: AdminMove): Move {
  // A state the CRD's enum does not know (a newer platform) would make the API server refuse the whole status.
  const out: Move = { ...m, state: MOVE_STATES.has(a.state) ? a.state : m.state };
  if (a.epoch !== null && a.epoch !== undefined) out.epoch = a.epoch;
  if (a.writePauseMillis !== null && a.writePauseMillis !== undefined) {
    out.writePauseMillis = Math.round(a.writePauseMillis);
  }
  if (typeof a.rowsCopied === "number") out.rowsCopied = a.rowsCopied;
  if (a.finishTime) out.finishTime = a.finishTime;
  // status' reason says why a move failed or was aborted (the platform also echoes the request's reason).
  if (a.reason && (a.state === "Failed" || a.state === "Aborted")) out.reason = a.reason.slice(0, 1000);
  return out;
}

/** Every open move plus the FINISHED_MOVES_KEPT most recently finished ones, oldest first. */
export function boundMoves(moves: Move[]): Move[] {
  const finished = moves
    .filter((m) => !isOpen(m))
    .sort((a, b) => (a.finishTime ?? a.startTime ?? "").localeCompare(b.finishTime ?? b.startTime ?? ""));
  const keep = new Set(finished.slice(-FINISHED_MOVES_KEPT));
  return moves.filter((m) => isOpen(m) || keep.has(m));
}

/** status.rebalance.moves as the planner's history. */
export function historyOf(status: ChatClusterStatus) {
  const rb = status.rebalance ?? {};
  const rec = (m: Move): MoveRecord => ({
    roomId: m.roomId,
    from: m.fromShard,
    to: m.toShard,
    startedAt: m.startTime ? Date.parse(m.startTime) : 0,
    ...(m.finishTime ? { finishedAt: Date.parse(m.finishTime) } : {}),
  });
  const moves = rb.moves ?? [];
  return {
    recentMoves: moves.map(rec),
    inProgress: moves.filter(isOpen).map(rec),
    ...(rb.lastActionTime ? { lastActionTime: Date.parse(rb.lastActionTime) } : {}),
  };
}

export interface ShardView {
  index: number;
  /** StatefulSet ready now. */
  ready: boolean;
  /** Listed as active by the platform's catalog. */
  active: boolean;
}

/** The planner's input from what was gathered. */
export function snapshotOf(
  cc: ChatCluster,
  status: ChatClusterStatus,
  views: ShardView[],
  rates: Map<number, number>,
  heat: Map<number, { roomId: string; writesPerSecond: number }[]>,
): LoadSnapshot {
  const states = new Map((status.shards ?? []).map((s) => [s.index, s.state]));
  return {
    shardCount: effectiveShards({ ...cc, status }),
    maxShards: cc.spec.mysql.maxShards,
    shards: views.map((v) => ({
      index: v.index,
      state: states.get(v.index) ?? "Provisioning",
      // A shard the platform has not activated cannot take rooms (the move would be refused).
      ready: v.ready && v.active,
      writesPerSecond: rates.get(v.index) ?? 0,
      hotRooms: heat.get(v.index) ?? [],
    })),
  };
}

export function plannedActionsOf(actions: RebalanceAction[]) {
  return actions.slice(0, 64).map((a) =>
    a.type === "addShard"
      ? { type: "AddShard" as const, toShard: a.desiredShards - 1, reason: a.reason.slice(0, 1000) }
      : {
          type: "MoveRoom" as const,
          roomId: a.roomId,
          fromShard: a.from,
          toShard: a.to,
          reason: a.reason.slice(0, 1000),
        },
  );
}

/** The Rebalancing condition from the state after an evaluation. */
export function rebalancingCondition(
  mode: string,
  moves: Move[],
  views: ShardView[],
  idleMessage: string,
): ConditionInput {
  const open = moves.filter(isOpen);
  if (open.length > 0) {
    return {
      type: ConditionType.Rebalancing,
      status: "True",
      reason: Reason.MovingRooms,
      message: open
        .map((m) => `room ${m.roomId}: shard ${m.fromShard} → ${m.toShard} (${m.state})`)
        .join("; ")
        .slice(0, 1000),
    };
  }
  const provisioning = views.filter((v) => !v.ready && !v.active);
  if (provisioning.length > 0) {
    return {
      type: ConditionType.Rebalancing,
      status: "True",
      reason: Reason.AddingShard,
      message: `waiting for shard ${provisioning.map((v) => v.index).join(", ")} to become Ready`,
    };
  }
  const unregistered = views.filter((v) => !v.active);
  if (unregistered.length > 0) {
    return {
      type: ConditionType.Rebalancing,
      status: "True",
      reason: Reason.RegisteringShard,
      message:
        mode === "Auto"
          ? `registering shard ${unregistered.map((v) => v.index).join(", ")} with the platform`
          : `shard ${unregistered.map((v) => v.index).join(", ")} is Ready but not active in the platform (mode ${mode} does not activate shards)`,
    };
  }
  return {
    type: ConditionType.Rebalancing,
    status: "False",
    reason: Reason.RebalanceIdle,
    message: `mode ${mode}: ${idleMessage}`.slice(0, 1000),
  };
}

/** Whether something is under way that deserves a poll every POLL_MS (judged from the status alone). */
export function busy(cc: ChatCluster): boolean {
  const st = cc.status ?? {};
  if ((st.rebalance?.moves ?? []).some(isOpen)) return true;
  if (cc.spec.sharding.rebalance.mode !== "Auto") return false;
  const shards = st.shards ?? [];
  const n = effectiveShards(cc);
  return shards.length < n || shards.some((s) => s.index < n && s.state !== "Registered");
}
