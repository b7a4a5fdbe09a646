import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type LoadSnapshot,
  type MoveRoomAction,
  type PlanInput,
  type PlannerPolicy,
  parseDuration,
  plan,
  policyFromSpec,
  type RebalanceHistory,
  type ShardLoad,
  shardLoadPercent,
} from "./planner.js";

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

// The CRD defaults: capacity 2000 writes/s, add at 75 %, move at 85 %, hysteresis 10, cooldown 10m, 1 move.
const POLICY: PlannerPolicy = policyFromSpec({
  mode: "Auto",
  interval: "1m",
  shardCapacityWritesPerSecond: 2000,
  addShardThresholdPercent: 75,
  moveThresholdPercent: 85,
  hysteresisPercent: 10,
  cooldown: "10m",
  maxConcurrentMoves: 1,
  maxWritePause: "2s",
});
const NO_HISTORY: RebalanceHistory = { recentMoves: [], inProgress: [] };

const shard = (index: number, writesPerSecond: number, rooms: Record<string, number> = {}): ShardLoad => ({
  index,
  state: "Registered",
  ready: true,
  writesPerSecond,
  hotRooms: Object.entries(rooms).map(([roomId, w]) => ({ roomId, writesPerSecond: w })),
});
const snap = (shards: ShardLoad[], maxShards = 8): LoadSnapshot => ({
  shards,
  shardCount: shards.length,
  maxShards,
});
const input = (snapshot: LoadSnapshot, over: Partial<PlanInput> = {}): PlanInput => ({
  snapshot,
  policy: POLICY,
  history: NO_HISTORY,
  now: NOW,
  ...over,
});

/** The test's own model of a move: the room's rate leaves the source (not below zero) and lands on the target. */
function applyMoves(s: LoadSnapshot, moves: MoveRoomAction[]): LoadSnapshot {
  const shards = s.shards.map((x) => ({ ...x, writesPerSecond: Math.max(x.writesPerSecond, 0) }));
  for (const m of moves) {
    const from = shards.find((x) => x.index === m.from)!;
    const to = shards.find((x) => x.index === m.to)!;
    from.writesPerSecond = Math.max(from.writesPerSecond - m.expectedRate, 0);
    to.writesPerSecond += m.expectedRate;
  }
  return { ...s, shards };
}
const maxLoad = (s: LoadSnapshot, p: PlannerPolicy): number =>
  Math.max(0, ...s.shards.map((x) => shardLoadPercent(x, p)));
const movesOf = (i: PlanInput) => plan(i).actions.filter((a): a is MoveRoomAction => a.type === "moveRoom");

describe("parseDuration / policyFromSpec", () => {
  it("reads the CRD's duration syntax", () => {
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("250ms")).toBe(250);
    expect(() => parseDuration("10 minutes")).toThrow(/invalid duration/);
    expect(() => parseDuration("")).toThrow(/invalid duration/);
  });
  it("maps the spec field by field", () => {
    expect(POLICY).toEqual({
      mode: "Auto",
      shardCapacityWritesPerSecond: 2000,
      addShardThresholdPercent: 75,
      moveThresholdPercent: 85,
      hysteresisPercent: 10,
      cooldownMs: 600_000,
      maxConcurrentMoves: 1,
    });
  });
});

describe("plan: examples", () => {
  it("does nothing when disabled", () => {
    const p = plan(
      input(snap([shard(0, 1900, { a: 900 }), shard(1, 0)]), { policy: { ...POLICY, mode: "Disabled" } }),
    );
    expect(p.actions).toEqual([]);
    expect(p.summary).toMatch(/disabled/);
  });

  it("moves the hottest room off the hottest shard onto the coolest", () => {
    // Shard 0 at 90 %, shard 1 at 30 %, shard 2 at 50 %; mean 56.7 % (no scale-up).
    const p = plan(
      input(snap([shard(0, 1800, { a: 300, b: 500, c: 100 }), shard(1, 600), shard(2, 1000)]), {
        policy: { ...POLICY, maxConcurrentMoves: 3 },
      }),
    );
    // b (500/s) brings shard 0 from 90 % to 65 %, below 85 − 10: one move is enough.
    expect(p.actions).toEqual([
      {
        type: "moveRoom",
        roomId: "b",
        from: 0,
        to: 1,
        expectedRate: 500,
        reason: expect.stringMatching(
          /shard 0 is at 90\.0% \(above 85%\): moving room b .* to shard 1, which goes to 55\.0%/,
        ),
      },
    ]);
    expect(p.fleetLoadPercent).toBe(56.7);
  });

  it("keeps shedding until the shard is below threshold − hysteresis, within the move cap", () => {
    const rooms = { a: 100, b: 100, c: 100, d: 100 };
    const s = snap([shard(0, 1900, rooms), shard(1, 0)]);
    // 95 % → needs 400/s off to reach 75 %: four moves of 100/s, but the cap is 2.
    expect(movesOf(input(s, { policy: { ...POLICY, maxConcurrentMoves: 2 } })).map((m) => m.roomId)).toEqual([
      "a",
      "b",
    ]);
    expect(movesOf(input(s, { policy: { ...POLICY, maxConcurrentMoves: 8 } })).map((m) => m.roomId)).toEqual([
      "a",
      "b",
      "c",
      "d",
    ]);
  });

  it("does nothing inside the hysteresis band", () => {
    // 84 % is above 85 − 10 but not above 85: not triggered.
    const p = plan(input(snap([shard(0, 1680, { a: 800 }), shard(1, 0)])));
    expect(p.actions).toEqual([]);
    expect(p.summary).toMatch(/^idle/);
  });

  it("refuses a move that would make the target the hotter shard", () => {
    // One 1500/s room on a 95 % shard: wherever it goes, that shard ends at 75 %+ (above 75 % floor) — refused.
    const p = plan(input(snap([shard(0, 1900, { whale: 1500 }), shard(1, 100)])));
    expect(p.actions).toEqual([]);
    expect(p.summary).toMatch(/no further move fits/);
  });

  it("skips a room moved within the cooldown of its move's end and takes the next one", () => {
    const history: RebalanceHistory = {
      // Issued 30 min ago (the global cooldown is over) but finished 5 min ago.
      recentMoves: [{ roomId: "a", from: 1, to: 0, startedAt: NOW - 30 * MIN, finishedAt: NOW - 5 * MIN }],
      inProgress: [],
    };
    const moves = movesOf(input(snap([shard(0, 1800, { a: 400, b: 300 }), shard(1, 200)]), { history }));
    expect(moves.map((m) => m.roomId)).toEqual(["b"]);
  });

  it("waits out the cooldown after any action", () => {
    const s = snap([shard(0, 1900, { a: 400 }), shard(1, 0)]);
    const cooling = plan(input(s, { history: { ...NO_HISTORY, lastActionTime: NOW - 9 * MIN } }));
    expect(cooling.actions).toEqual([]);
    expect(cooling.summary).toMatch(/cooling down until 2026-11-21T12:01:00.000Z/);
    expect(
      plan(input(s, { history: { ...NO_HISTORY, lastScaleUpTime: NOW - 10 * MIN } })).actions,
    ).toHaveLength(1);
  });

  it("respects moves in progress: the cap counts them and their shards are left alone", () => {
    const s = snap([shard(0, 1900, { a: 400 }), shard(1, 0), shard(2, 0)]);
    const inProgress = [{ roomId: "z", from: 0, to: 1, startedAt: NOW - 60 * MIN }];
    const cap1 = plan(input(s, { history: { recentMoves: [], inProgress } }));
    expect(cap1.actions).toEqual([]);
    expect(cap1.summary).toMatch(/1 move\(s\) already in progress \(max 1\)/);
    // With room for another move, shard 0 is still busy (its rate is about to change), so nothing moves either.
    const cap2 = plan(
      input(s, { history: { recentMoves: [], inProgress }, policy: { ...POLICY, maxConcurrentMoves: 2 } }),
    );
    expect(cap2.actions).toEqual([]);
    expect(cap2.summary).toMatch(/hot shard\(s\) 0 already have a move in progress/);
  });

  it("adds a shard when the fleet's mean passes the threshold, and nothing else", () => {
    const p = plan(input(snap([shard(0, 1700, { a: 400 }), shard(1, 1500, { b: 300 })], 4)));
    expect(p.actions).toEqual([
      {
        type: "addShard",
        desiredShards: 3,
        reason: "fleet load 80.0% is above the 75% threshold: adding shard 2 (3 of at most 4)",
      },
    ]);
  });

  it("never adds beyond maxShards, and still moves rooms there", () => {
    // Mean 77.5 % at maxShards 2: no scale-up, but shard 0 (95 %) can shed a room onto shard 1 (60 % → 75 %).
    const p = plan(input(snap([shard(0, 1900, { a: 300 }), shard(1, 1200)], 2)));
    expect(p.actions.map((a) => a.type)).toEqual(["moveRoom"]);
    expect(p.summary).toMatch(/shard 0 is at 95\.0%/);
    const none = plan(input(snap([shard(0, 1700), shard(1, 1700)], 2)));
    expect(none.actions).toEqual([]);
    expect(none.summary).toMatch(/at maxShards \(2\)/);
  });

  it("counts a new shard only once Ready, then fills it as empty capacity", () => {
    const old = [shard(0, 1800, { a: 500, b: 200 }), shard(1, 1600, { c: 400 })];
    const provisioning: ShardLoad = { ...shard(2, 0), state: "Provisioning", ready: false };
    const waiting = plan(input({ shards: [...old, provisioning], shardCount: 3, maxShards: 4 }));
    expect(waiting.actions).toEqual([]);
    expect(waiting.summary).toMatch(/waiting for 1 new shard\(s\) to become Ready/);
    expect(waiting.fleetLoadPercent).toBe(85); // 3400 / 4000: the new shard adds no capacity yet
    // A shard the operator was asked for but that is not in the snapshot yet is pending too.
    expect(plan(input({ shards: old, shardCount: 3, maxShards: 4 })).actions).toEqual([]);

    const ready = plan(
      input({
        shards: [...old, { ...provisioning, state: "Ready", ready: true }],
        shardCount: 3,
        maxShards: 4,
      }),
    );
    expect(ready.fleetLoadPercent).toBe(56.7);
    expect(ready.actions).toEqual([
      expect.objectContaining({ type: "moveRoom", roomId: "a", from: 0, to: 2 }),
    ]);
  });

  it("never moves rooms onto a shard that is not ready or draining", () => {
    const s = snap([
      shard(0, 1900, { a: 300 }),
      { ...shard(1, 0), ready: false },
      { ...shard(2, 0), state: "Draining" },
      shard(3, 1000),
    ]);
    expect(movesOf(input(s))).toEqual([expect.objectContaining({ roomId: "a", to: 3 })]);
  });

  it("weighs shards by their own capacity", () => {
    // The coolest after the move wins: shard 2 ends at 35 %, shard 1 (2500/s) at 52 %; with 8000/s, at 16.25 %.
    const s = snap([
      shard(0, 1900, { a: 300 }),
      { ...shard(1, 1000), capacityWritesPerSecond: 2500 },
      shard(2, 400),
    ]);
    expect(movesOf(input(s))).toEqual([expect.objectContaining({ roomId: "a", to: 2 })]);
    const s2 = snap([
      shard(0, 1900, { a: 300 }),
      { ...shard(1, 1000), capacityWritesPerSecond: 8000 },
      shard(2, 400),
    ]);
    expect(movesOf(input(s2))).toEqual([expect.objectContaining({ roomId: "a", to: 1 })]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties over random snapshots, policies and histories.

const roomId = fc.integer({ min: 0, max: 15 }).map((i) => `r${i}`);
const rateArb = fc.oneof(fc.integer({ min: 0, max: 4000 }), fc.double({ min: 0, max: 4000, noNaN: true }));
const shardArb = (index: number): fc.Arbitrary<ShardLoad> =>
  fc.record({
    index: fc.constant(index),
    state: fc.constantFrom("Provisioning", "Ready", "Registered", "Draining", "Registered", "Registered"),
    ready: fc.boolean(),
    writesPerSecond: rateArb,
    capacityWritesPerSecond: fc.option(fc.integer({ min: 200, max: 4000 }), { nil: undefined }),
    hotRooms: fc.array(fc.record({ roomId, writesPerSecond: rateArb }), { maxLength: 6 }),
  });
const snapshotArb: fc.Arbitrary<LoadSnapshot> = fc
  .integer({ min: 1, max: 8 })
  .chain((n) =>
    fc.record({
      shards: fc.tuple(...Array.from({ length: n }, (_, i) => shardArb(i))),
      missing: fc.integer({ min: 0, max: 1 }),
      headroom: fc.integer({ min: 0, max: 3 }),
    }),
  )
  .map(({ shards, missing, headroom }) => ({
    shards,
    shardCount: shards.length + missing,
    maxShards: shards.length + missing + headroom,
  }));
const policyArb: fc.Arbitrary<PlannerPolicy> = fc
  .record({
    mode: fc.constantFrom("DryRun", "Auto", "Auto", "Disabled"),
    shardCapacityWritesPerSecond: fc.integer({ min: 100, max: 4000 }),
    addShardThresholdPercent: fc.integer({ min: 2, max: 100 }),
    moveThresholdPercent: fc.integer({ min: 1, max: 100 }),
    hysteresisPercent: fc.integer({ min: 0, max: 50 }),
    cooldownMs: fc.integer({ min: 0, max: 20 * MIN }),
    maxConcurrentMoves: fc.integer({ min: 1, max: 6 }),
  })
  // The CRD's CEL rule: hysteresis below the add-shard threshold.
  .map((p) => ({ ...p, hysteresisPercent: Math.min(p.hysteresisPercent, p.addShardThresholdPercent - 1) }));
const moveArb = fc
  .record({
    roomId,
    from: fc.integer({ min: 0, max: 8 }),
    to: fc.integer({ min: 0, max: 8 }),
    startedAt: fc.integer({ min: NOW - 60 * MIN, max: NOW }),
    took: fc.option(fc.integer({ min: 0, max: 40 * MIN }), { nil: undefined }),
  })
  .map(({ took, ...m }) =>
    took === undefined ? m : { ...m, finishedAt: Math.min(m.startedAt + took, NOW) },
  );
const historyArb: fc.Arbitrary<RebalanceHistory> = fc.record({
  recentMoves: fc.array(moveArb, { maxLength: 5 }),
  inProgress: fc.array(moveArb, { maxLength: 3 }),
  lastScaleUpTime: fc.option(fc.integer({ min: NOW - 60 * MIN, max: NOW }), { nil: undefined }),
  lastActionTime: fc.option(fc.integer({ min: NOW - 60 * MIN, max: NOW }), { nil: undefined }),
});
const inputArb: fc.Arbitrary<PlanInput> = fc.record({
  snapshot: snapshotArb,
  policy: policyArb,
  history: historyArb,
  now: fc.constant(NOW),
});

const RUNS = { numRuns: 5000, seed: 20261121 };

describe("plan: properties", () => {
  it("never asks for more than maxShards, one shard at a time, and an addShard plan has nothing else", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const adds = plan(i).actions.filter((a) => a.type === "addShard");
        for (const a of adds) {
          expect(a.desiredShards).toBeLessThanOrEqual(i.snapshot.maxShards);
          expect(a.desiredShards).toBe(i.snapshot.shardCount + 1);
        }
        if (adds.length > 0) expect(plan(i).actions).toHaveLength(1);
      }),
      RUNS,
    );
  });

  it("never raises the maximum shard load", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const moves = movesOf(i);
        const after = maxLoad(applyMoves(i.snapshot, moves), i.policy);
        expect(after).toBeLessThanOrEqual(maxLoad(i.snapshot, i.policy) + 1e-9);
        // Each move, applied alone to the snapshot, leaves the target cooler than the source was.
        for (const m of moves) {
          const one = applyMoves(i.snapshot, [m]);
          const load = (s: LoadSnapshot, idx: number) =>
            shardLoadPercent(s.shards.find((x) => x.index === idx)!, i.policy);
          expect(load(one, m.to)).toBeLessThan(load(i.snapshot, m.from));
        }
      }),
      RUNS,
    );
  });

  it("respects the concurrent-move cap, the cooldowns and shard eligibility", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const { actions } = plan(i);
        const moves = actions.filter((a): a is MoveRoomAction => a.type === "moveRoom");
        const { policy, history, now, snapshot } = i;
        expect(moves.length + history.inProgress.length).toBeLessThanOrEqual(
          Math.max(policy.maxConcurrentMoves, history.inProgress.length),
        );
        if (moves.length > 0) expect(history.inProgress.length).toBeLessThan(policy.maxConcurrentMoves);
        // Global cooldown: nothing within `cooldown` of any earlier action.
        const times = [
          history.lastActionTime,
          history.lastScaleUpTime,
          ...history.recentMoves.map((m) => m.startedAt),
          ...history.inProgress.map((m) => m.startedAt),
        ].filter((t) => t !== undefined);
        if (times.some((t) => now - t < policy.cooldownMs) || policy.mode === "Disabled") {
          expect(actions).toEqual([]);
        }
        // Per room: never a room in flight, nor one whose last move ended within the cooldown, nor twice.
        const pinned = new Set([
          ...history.inProgress.map((m) => m.roomId),
          ...history.recentMoves
            .filter((m) => now - (m.finishedAt ?? m.startedAt) < policy.cooldownMs)
            .map((m) => m.roomId),
        ]);
        const moved = moves.map((m) => m.roomId);
        expect(new Set(moved).size).toBe(moved.length);
        for (const m of moves) {
          expect(pinned.has(m.roomId)).toBe(false);
          const from = snapshot.shards.find((s) => s.index === m.from)!;
          const to = snapshot.shards.find((s) => s.index === m.to)!;
          expect(from.hotRooms.some((r) => r.roomId === m.roomId)).toBe(true);
          expect(to.ready && (to.state === "Ready" || to.state === "Registered")).toBe(true);
          expect(m.from).not.toBe(m.to);
          // Hysteresis: only a shard above the move threshold sheds rooms.
          expect(shardLoadPercent(from, policy)).toBeGreaterThan(policy.moveThresholdPercent);
          expect(m.expectedRate).toBeGreaterThan(0);
        }
        for (const a of actions) expect(a.reason.length).toBeGreaterThan(10);
      }),
      RUNS,
    );
  });

  it("is deterministic: same input, same plan, whatever the order of shards and rooms", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const first = plan(i);
        expect(plan(structuredClone(i))).toEqual(first);
        const reordered: PlanInput = {
          ...i,
          snapshot: {
            ...i.snapshot,
            shards: [...i.snapshot.shards]
              .reverse()
              .map((s) => ({ ...s, hotRooms: [...s.hotRooms].reverse() })),
          },
        };
        expect(plan(reordered)).toEqual(first);
      }),
      RUNS,
    );
  });

  it("actually acts on random snapshots (the generators are not vacuous)", () => {
    const samples = fc.sample(inputArb, { numRuns: 5000, seed: RUNS.seed });
    const kinds = samples.flatMap((i) => plan(i).actions.map((a) => a.type));
    expect(kinds.filter((k) => k === "moveRoom").length).toBeGreaterThan(100);
    expect(kinds.filter((k) => k === "addShard").length).toBeGreaterThan(100);
  });
});
