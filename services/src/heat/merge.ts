// Cluster-wide heat: every instance's tracker sees only the sends it stored, so the
// operator's view is the sum of all live instances' snapshots (published to Redis by
// heat/publisher.ts). Pure: snapshots and the clock come in, the merged view goes out.
//
// Merging keeps the tracker's guarantee per room (mergeable space-saving summaries):
// where an instance lists the room, its estimate and error add up; where it does not,
// the room's rate there is unknown but at most that instance's `untrackedRate` (the
// eviction floor), so that bound is added to both the estimate and the error. The
// merged rate therefore never under-estimates the sum of the instances' decayed rates,
// and rate − rateError never over-estimates it.
//
// A snapshot is up to one publish period old; it is decayed by its age (the same
// exponential decay the trackers apply), so what it adds is exactly "the writes up to
// its publication, seen now". Writes after that arrive with its next publication.
import { z } from "zod";
import type { HeatTracker, ShardHeat } from "./tracker.js";

/** Format version of a published snapshot; readers skip other versions. */
export const HEAT_SNAPSHOT_VERSION = 1;

const RoomSnapshotSchema = z.object({
  roomId: z.number().int(),
  rate: z.number().nonnegative(),
  rateError: z.number().nonnegative(),
});

const ShardSnapshotSchema = z.object({
  shardId: z.number().int(),
  rate: z.number().nonnegative(),
  /** Most an unlisted room may have written on this instance (msgs/s). */
  untrackedRate: z.number().nonnegative(),
  rooms: z.array(RoomSnapshotSchema),
});

export const InstanceHeatSchema = z.object({
  v: z.literal(HEAT_SNAPSHOT_VERSION),
  instanceId: z.string().min(1),
  halfLifeMs: z.number().positive(),
  /** Wall-clock time of the snapshot (ms since the epoch). */
  at: z.number(),
  shards: z.array(ShardSnapshotSchema),
});

/** One instance's heat as published: every tracked room of every shard it wrote to. */
export type InstanceHeat = z.infer<typeof InstanceHeatSchema>;

export interface ClusterHeatView {
  /** Live instances whose snapshots were summed (this one included). */
  instances: number;
  shards: ShardHeat[];
}

/** This instance's tracker as a snapshot: all tracked rooms (≤ capacity per shard). */
export function instanceHeat(tracker: HeatTracker, instanceId: string, at: number): InstanceHeat {
  return {
    v: HEAT_SNAPSHOT_VERSION,
    instanceId,
    halfLifeMs: tracker.halfLifeMs,
    at,
    shards: tracker.shardIds().map((shardId) => ({
      shardId,
      rate: tracker.shardRate(shardId),
      untrackedRate: tracker.untrackedRate(shardId),
      rooms: tracker
        .top(shardId, tracker.capacity)
        .map(({ roomId, rate, rateError }) => ({ roomId, rate, rateError })),
    })),
  };
}

/**
 * Sums snapshots (one per instance; a later duplicate of an instance id is ignored) into
 * per-shard rates and each shard's `limit` hottest rooms, hottest first (ties by room id).
 */
export function mergeHeat(snapshots: readonly InstanceHeat[], now: number, limit: number): ClusterHeatView {
  const seen = new Set<string>();
  const shards = new Map<
    number,
    { rate: number; parts: { decay: number; shard: InstanceHeat["shards"][number] }[] }
  >();
  for (const snap of snapshots) {
    if (seen.has(snap.instanceId)) continue;
    seen.add(snap.instanceId);
    // A snapshot from the future (clock skew) is taken as fresh, never amplified.
    const decay = 2 ** (-Math.max(0, now - snap.at) / snap.halfLifeMs);
    for (const shard of snap.shards) {
      let m = shards.get(shard.shardId);
      if (!m) {
        m = { rate: 0, parts: [] };
        shards.set(shard.shardId, m);
      }
      m.rate += shard.rate * decay;
      m.parts.push({ decay, shard });
    }
  }

  const out: ShardHeat[] = [];
  for (const [shardId, m] of [...shards].sort((a, b) => a[0] - b[0])) {
    const rooms = new Map<number, { rate: number; rateError: number }>();
    for (const { decay, shard } of m.parts) {
      for (const r of shard.rooms) {
        const acc = rooms.get(r.roomId) ?? { rate: 0, rateError: 0 };
        acc.rate += r.rate * decay;
        acc.rateError += r.rateError * decay;
        rooms.set(r.roomId, acc);
      }
    }
    // Instances that do not list a room contribute their bound for unlisted rooms.
    for (const { decay, shard } of m.parts) {
      const bound = shard.untrackedRate * decay;
      if (bound === 0) continue;
      const listed = new Set(shard.rooms.map((r) => r.roomId));
      for (const [roomId, acc] of rooms) {
        if (listed.has(roomId)) continue;
        acc.rate += bound;
        acc.rateError += bound;
      }
    }
    const ranked = [...rooms]
      .map(([roomId, r]) => ({
        roomId,
        rate: r.rate,
        share: m.rate > 0 ? Math.min(1, r.rate / m.rate) : 0,
        rateError: r.rateError,
      }))
      .sort((a, b) => b.rate - a.rate || a.roomId - b.roomId);
    out.push({
      shardId,
      rate: m.rate,
      trackedRooms: rooms.size,
      rooms: limit > 0 ? ranked.slice(0, limit) : [],
    });
  }
  return { instances: seen.size, shards: out };
}
