// The rebalancing planner (issue 6): a pure function from a load snapshot, the CRD's policy, recent history and
// `now` to a list of actions. No I/O and no clock — the executor gathers the inputs and carries the actions out,
// so the rules below can be property-tested in isolation.
//
// Rules, in the order they are applied:
//  1. mode Disabled → nothing. DryRun and Auto plan the same; only the executor differs.
//  2. Cooldown: no action within `cooldown` of the last one (scale-up or move), so the measurements can settle
//     on the new layout before the next decision.
//  3. addShard when the fleet's mean load is above addShardThresholdPercent, one shard at a time, never beyond
//     maxShards, and not while an earlier new shard is still Provisioning: a shard's capacity counts only once
//     it has been Ready (until then the mean would stay high and we would ask again and again). An addShard plan
//     moves nothing: the new shard is the best target, and it becomes one only when Ready.
//  4. moveRoom off shards above moveThresholdPercent ("triggered"), hottest shard first, its hottest rooms first,
//     each onto the shard that ends up coolest, until the source is down to moveThreshold − hysteresis.
//     Hysteresis: a shard inside [moveThreshold − hysteresis, moveThreshold] triggers nothing, and a target may
//     only be filled up to moveThreshold − hysteresis, so a move can never make its target the next trigger.
//     A move whose target would end hotter than its source was is refused (so a plan never raises the maximum
//     shard load). At most maxConcurrentMoves minus the moves in progress; shards with a move in progress are
//     left alone (their rates are in flux until the flip); a room is not moved again within the cooldown of its
//     last move's end (a long move would otherwise let its room bounce right after the global cooldown).
import type { ChatClusterSpecShardingRebalance } from "../api/index.js";
import type {
  LoadSnapshot,
  MoveRoomAction,
  Plan,
  PlanInput,
  PlannerPolicy,
  RebalanceAction,
  RebalanceHistory,
  RoomHeat,
  ShardLoad,
} from "./types.js";

export * from "./types.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A CRD duration ("10m", "1h30m", "1.5s"; the schema's pattern) in milliseconds. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new Error(`invalid duration ${JSON.stringify(text)}`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

/** The planner's policy from the (defaulted) spec.sharding.rebalance. */
export function policyFromSpec(spec: ChatClusterSpecShardingRebalance): PlannerPolicy {
  return {
    mode: spec.mode,
    shardCapacityWritesPerSecond: spec.shardCapacityWritesPerSecond,
    addShardThresholdPercent: spec.addShardThresholdPercent,
    moveThresholdPercent: spec.moveThresholdPercent,
    hysteresisPercent: spec.hysteresisPercent,
    cooldownMs: parseDuration(spec.cooldown),
    maxConcurrentMoves: spec.maxConcurrentMoves,
  };
}

/** Rates from the outside world may be stale or odd; a negative or non-finite rate counts as zero. */
const rate = (r: number): number => (Number.isFinite(r) && r > 0 ? r : 0);
const pct = (p: number): string => `${(Math.round(p * 10) / 10).toFixed(1)}%`;
const iso = (ms: number): string => new Date(ms).toISOString();

/** A Provisioning shard has never been Ready: it adds no capacity yet. */
const hasCapacity = (s: ShardLoad): boolean => s.state !== "Provisioning";
/** Rooms go only to a shard that is up and not being emptied. */
const canReceive = (s: ShardLoad): boolean => s.ready && (s.state === "Ready" || s.state === "Registered");

function capacityOf(s: ShardLoad, policy: PlannerPolicy): number {
  const c = s.capacityWritesPerSecond;
  return c !== undefined && Number.isFinite(c) && c > 0 ? c : policy.shardCapacityWritesPerSecond;
}

/** Load of a shard in percent of its capacity: the one measure every threshold and comparison uses. */
export function shardLoadPercent(s: ShardLoad, policy: PlannerPolicy): number {
  return (rate(s.writesPerSecond) / capacityOf(s, policy)) * 100;
}

/** Total writes over the capacity of the shards that have capacity, in percent. */
export function fleetLoadPercent(snapshot: LoadSnapshot, policy: PlannerPolicy): number {
  let writes = 0;
  let capacity = 0;
  for (const s of snapshot.shards) {
    writes += rate(s.writesPerSecond);
    if (hasCapacity(s)) capacity += capacityOf(s, policy);
  }
  if (capacity === 0) return 0;
  return (writes / capacity) * 100;
}

/** The last time anything was done: cooldown runs from here. */
function lastActionTime(history: RebalanceHistory): number | undefined {
  const times = [
    history.lastActionTime,
    history.lastScaleUpTime,
    ...history.recentMoves.map((m) => m.startedAt),
    ...history.inProgress.map((m) => m.startedAt),
  ].filter((t): t is number => t !== undefined && Number.isFinite(t));
  return times.length === 0 ? undefined : Math.max(...times);
}

export function plan(input: PlanInput): Plan {
  const { snapshot, policy, history, now } = input;
  // Sorted copies: the output must not depend on the order the inputs happened to arrive in.
  const shards = [...snapshot.shards].sort((a, b) => a.index - b.index);
  const fleet = fleetLoadPercent(snapshot, policy);
  const done = (actions: RebalanceAction[], summary: string): Plan => ({
    actions,
    fleetLoadPercent: Math.round(fleet * 10) / 10,
    summary,
  });

  if (policy.mode === "Disabled") return done([], "rebalancing is disabled");

  const last = lastActionTime(history);
  if (last !== undefined && now - last < policy.cooldownMs) {
    return done([], `cooling down until ${iso(last + policy.cooldownMs)} after the last action`);
  }

  const notes: string[] = [];
  if (fleet > policy.addShardThresholdPercent) {
    const counted = shards.filter(hasCapacity).length;
    const pending = Math.max(snapshot.shardCount - counted, 0);
    if (pending > 0) {
      notes.push(
        `fleet load ${pct(fleet)} is above ${policy.addShardThresholdPercent}%, waiting for ${pending} new shard(s) to become Ready`,
      );
    } else if (snapshot.shardCount >= snapshot.maxShards) {
      notes.push(
        `fleet load ${pct(fleet)} is above ${policy.addShardThresholdPercent}% but the fleet is at maxShards (${snapshot.maxShards})`,
      );
    } else {
      const desiredShards = snapshot.shardCount + 1;
      const reason = `fleet load ${pct(fleet)} is above the ${policy.addShardThresholdPercent}% threshold: adding shard ${snapshot.shardCount} (${desiredShards} of at most ${snapshot.maxShards})`;
      return done([{ type: "addShard", desiredShards, reason }], reason);
    }
  }

  const moves = planMoves(shards, policy, history, now, notes);
  const summary = moves.length > 0 ? moves.map((m) => m.reason).join("; ") : notes.join("; ");
  return done(
    moves,
    summary || `idle: fleet load ${pct(fleet)}, no shard above ${policy.moveThresholdPercent}%`,
  );
}

function planMoves(
  shards: ShardLoad[],
  policy: PlannerPolicy,
  history: RebalanceHistory,
  now: number,
  notes: string[],
): MoveRoomAction[] {
  const budget = policy.maxConcurrentMoves - history.inProgress.length;
  const busy = new Set(history.inProgress.flatMap((m) => [m.from, m.to]));
  // A room in flight, or moved within the cooldown, stays where it is.
  const pinned = new Set([
    ...history.inProgress.map((m) => m.roomId),
    ...history.recentMoves
      .filter((m) => now - Math.max(m.startedAt, m.finishedAt ?? m.startedAt) < policy.cooldownMs)
      .map((m) => m.roomId),
  ]);
  const shedTo = policy.moveThresholdPercent - policy.hysteresisPercent;

  // Projected writes per shard, updated as moves are planned so each decision sees the previous ones.
  const writes = new Map(shards.map((s) => [s.index, rate(s.writesPerSecond)]));
  const load = (s: ShardLoad): number => (writes.get(s.index)! / capacityOf(s, policy)) * 100;

  const hot = shards
    .filter((s) => hasCapacity(s) && load(s) > policy.moveThresholdPercent)
    .sort((a, b) => load(b) - load(a) || a.index - b.index);
  if (hot.length === 0) return [];
  if (budget <= 0) {
    notes.push(
      `shard ${hot[0]!.index} is hot but ${history.inProgress.length} move(s) already in progress (max ${policy.maxConcurrentMoves})`,
    );
    return [];
  }
  const triggered = hot.filter((s) => !busy.has(s.index));
  if (triggered.length === 0) {
    notes.push(`hot shard(s) ${hot.map((s) => s.index).join(", ")} already have a move in progress`);
    return [];
  }
  const sources = new Set(triggered.map((s) => s.index));
  // A triggered shard never receives rooms in the same plan: no ping-pong between two hot shards.
  const targets = shards.filter((s) => canReceive(s) && !busy.has(s.index) && !sources.has(s.index));

  const moves: MoveRoomAction[] = [];
  for (const src of triggered) {
    const rooms = [...src.hotRooms]
      .map((r): RoomHeat => ({ roomId: r.roomId, writesPerSecond: rate(r.writesPerSecond) }))
      .sort(
        (a, b) =>
          b.writesPerSecond - a.writesPerSecond || (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0),
      );
    const before = load(src);
    for (const room of rooms) {
      if (moves.length >= budget || load(src) <= shedTo) break;
      if (room.writesPerSecond === 0 || pinned.has(room.roomId)) continue;
      const srcLoad = load(src);
      // The coolest target after the move (capacities may differ), lowest index on ties.
      let best: { shard: ShardLoad; after: number } | undefined;
      for (const t of targets) {
        const after = ((writes.get(t.index)! + room.writesPerSecond) / capacityOf(t, policy)) * 100;
        if (best === undefined || after < best.after) best = { shard: t, after };
      }
      // Refused: the target would end above the hysteresis band's floor, or hotter than the source is now.
      if (best === undefined || best.after > shedTo || best.after >= srcLoad) continue;
      const to = best.shard;
      writes.set(src.index, Math.max(writes.get(src.index)! - room.writesPerSecond, 0));
      writes.set(to.index, writes.get(to.index)! + room.writesPerSecond);
      pinned.add(room.roomId);
      moves.push({
        type: "moveRoom",
        roomId: room.roomId,
        from: src.index,
        to: to.index,
        expectedRate: room.writesPerSecond,
        reason: `shard ${src.index} is at ${pct(srcLoad)} (above ${policy.moveThresholdPercent}%): moving room ${room.roomId} (${room.writesPerSecond.toFixed(1)} writes/s) to shard ${to.index}, which goes to ${pct(best.after)}`,
      });
    }
    if (moves.length >= budget) break;
    if (load(src) > shedTo) {
      notes.push(
        `shard ${src.index} is at ${pct(load(src))} (was ${pct(before)}): no further move fits under ${shedTo}% on another shard`,
      );
    }
  }
  return moves;
}
