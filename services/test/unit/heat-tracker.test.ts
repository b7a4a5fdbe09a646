// Per-room heat tracker: decay, rates in msgs/s, top-K under a skewed stream, bounded memory.
import { describe, expect, it } from "vitest";
import { HeatTracker, selectKthLargest } from "../../src/heat/tracker.js";

/** A controllable clock in milliseconds. */
function fakeClock(start = 1_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf(s) over room ids 1..n, by inverse CDF; the ids are shuffled so rank ≠ id. */
function zipf(n: number, s: number, seed: number): () => number {
  const rand = rng(seed);
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s;
    cdf[i] = sum;
  }
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
  }
  return () => {
    const u = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return ids[lo] as number;
  };
}

const LN2 = Math.LN2;

describe("HeatTracker decay and rates", () => {
  it("halves a room's and the shard's rate after one half-life", () => {
    const clock = fakeClock();
    const heat = new HeatTracker({ halfLifeMs: 60_000, capacity: 16, now: clock.now });
    heat.record(1, 42, 100);
    const r0 = heat.top(1, 1)[0]?.rate ?? 0;
    const s0 = heat.shardRate(1);
    // 100 messages as one decayed count: rate = C·ln2/H (H in seconds).
    expect(r0).toBeCloseTo((100 * LN2) / 60, 10);
    expect(s0).toBeCloseTo(r0, 10);
    clock.advance(60_000);
    expect(heat.top(1, 1)[0]?.rate).toBeCloseTo(r0 / 2, 10);
    expect(heat.shardRate(1)).toBeCloseTo(s0 / 2, 10);
    clock.advance(120_000);
    expect(heat.shardRate(1)).toBeCloseTo(s0 / 8, 10);
  });

  it("reports a steady stream's rate in messages per second", () => {
    const clock = fakeClock();
    const heat = new HeatTracker({ halfLifeMs: 10_000, capacity: 16, now: clock.now });
    // Room 7 gets 20 msgs/s, room 8 gets 5 msgs/s, in 100 ms ticks for 30 half-lives.
    for (let i = 0; i < 3_000; i++) {
      heat.record(3, 7, 2);
      if (i % 2 === 0) heat.record(3, 8, 1);
      clock.advance(100);
    }
    const [a, b] = heat.top(3, 2);
    expect(a?.roomId).toBe(7);
    expect(a?.rate).toBeGreaterThan(19.5);
    expect(a?.rate).toBeLessThan(20.5);
    expect(b?.roomId).toBe(8);
    expect(b?.rate).toBeGreaterThan(4.8);
    expect(b?.rate).toBeLessThan(5.2);
    expect(heat.shardRate(3)).toBeGreaterThan(24.5);
    expect(heat.shardRate(3)).toBeLessThan(25.5);
    expect(a?.share).toBeCloseTo(0.8, 2);
    expect(b?.share).toBeCloseTo(0.2, 2);
    expect(a?.rateError).toBe(0);
  });

  it("keeps shards apart and answers unknown shards with nothing", () => {
    const clock = fakeClock();
    const heat = new HeatTracker({ now: clock.now });
    heat.record(1, 10);
    heat.record(2, 10, 3);
    expect(heat.shardIds()).toEqual([1, 2]);
    expect(heat.shardRate(2)).toBeCloseTo(3 * heat.shardRate(1), 10);
    expect(heat.top(9, 5)).toEqual([]);
    expect(heat.shardRate(9)).toBe(0);
    expect(heat.top(1, 0)).toEqual([]);
    heat.record(1, 11, 0); // ignored
    expect(heat.trackedRooms(1)).toBe(1);
  });

  it("stays finite and correct across many half-lives (landmark rescale)", () => {
    const clock = fakeClock();
    const heat = new HeatTracker({ halfLifeMs: 1_000, capacity: 8, now: clock.now });
    for (let i = 0; i < 5_000; i++) {
      heat.record(1, i % 3, 1);
      clock.advance(100); // 500 s = 500 half-lives, far past 2^64 without rescaling
    }
    const rate = heat.shardRate(1);
    expect(Number.isFinite(rate)).toBe(true);
    expect(rate).toBeGreaterThan(9.5); // 10 msgs/s
    expect(rate).toBeLessThan(10.5);
    // Each room gets 10/3 msgs/s, sampled every 300 ms against a 1 s half-life.
    for (const r of heat.top(1, 3)) {
      expect(r.rate).toBeGreaterThan(2.8);
      expect(r.rate).toBeLessThan(3.9);
    }
  });
});

describe("HeatTracker top-K", () => {
  it("finds the exact top rooms of a skewed (Zipf) stream, with guaranteed bounds", () => {
    const clock = fakeClock();
    const H = 60_000;
    const heat = new HeatTracker({ halfLifeMs: H, capacity: 128, now: clock.now });
    const next = zipf(20_000, 1.1, 12345);
    // Exact decayed counts, kept naively for comparison.
    const exact = new Map<number, number>();
    const messages = 200_000;
    const stepMs = 1; // 1000 msgs/s for 200 s
    for (let i = 0; i < messages; i++) {
      const room = next();
      heat.record(5, room);
      // Scale at write time (forward decay, landmark 0); decayed at the end below.
      exact.set(room, (exact.get(room) ?? 0) + 2 ** ((i * stepMs) / H));
      clock.advance(stepMs);
    }
    const endScale = 2 ** (-(messages * stepMs) / H);
    const toRate = (c: number) => (c * endScale * LN2 * 1000) / H;
    const exactTop = [...exact]
      .map(([roomId, c]) => ({ roomId, rate: toRate(c) }))
      .sort((a, b) => b.rate - a.rate);
    const got = heat.top(5, 10);
    expect(got.map((r) => r.roomId)).toEqual(exactTop.slice(0, 10).map((r) => r.roomId));
    const exactRate = new Map(exactTop.map((r) => [r.roomId, r.rate]));
    for (const r of heat.top(5, 64)) {
      const truth = exactRate.get(r.roomId) ?? 0;
      // Space-saving guarantee: never under, over by at most the reported error.
      expect(r.rate).toBeGreaterThanOrEqual(truth * (1 - 1e-9));
      expect(r.rate - truth).toBeLessThanOrEqual(r.rateError * (1 + 1e-9) + 1e-9);
    }
    // The hottest rooms' estimates are (nearly) exact.
    for (const r of got) expect(r.rate / (exactRate.get(r.roomId) ?? 1)).toBeCloseTo(1, 2);
    // The shard rate is exact: ≈ the sum of the rooms' exact rates.
    const totalExact = exactTop.reduce((a, r) => a + r.rate, 0);
    expect(heat.shardRate(5) / totalExact).toBeCloseTo(1, 9);
    const shares = got.reduce((a, r) => a + r.share, 0);
    expect(shares).toBeGreaterThan(0.2);
    expect(shares).toBeLessThanOrEqual(1);
  });

  it("bounds memory under 100,000 distinct rooms and still surfaces the hot one", () => {
    const clock = fakeClock();
    const heat = new HeatTracker({ halfLifeMs: 60_000, capacity: 64, now: clock.now });
    let maxTracked = 0;
    for (let i = 0; i < 100_000; i++) {
      heat.record(2, 1_000_000 + i); // every room once
      if (i % 10 === 0) heat.record(2, 7); // one hot room: 10% of the writes
      maxTracked = Math.max(maxTracked, heat.trackedRooms(2));
      if (i % 100 === 0) clock.advance(10);
    }
    expect(maxTracked).toBeLessThanOrEqual(64);
    expect(heat.trackedRooms(2)).toBeLessThanOrEqual(64);
    const [first] = heat.top(2, 1);
    expect(first?.roomId).toBe(7);
    expect(first?.share).toBeGreaterThan(0.08);
    expect(heat.top(2, 1_000).length).toBeLessThanOrEqual(64);
  });

  it("is deterministic for the same clock and stream", () => {
    const run = () => {
      const clock = fakeClock();
      const heat = new HeatTracker({ capacity: 32, now: clock.now });
      const next = zipf(5_000, 1.0, 7);
      for (let i = 0; i < 20_000; i++) {
        heat.record(1, next());
        clock.advance(3);
      }
      return heat.snapshot(10);
    };
    expect(run()).toEqual(run());
  });

  it("rejects bad options", () => {
    expect(() => new HeatTracker({ halfLifeMs: 0 })).toThrow(RangeError);
    expect(() => new HeatTracker({ capacity: 1 })).toThrow(RangeError);
  });
});

describe("selectKthLargest", () => {
  it("matches sorting on random and tied input", () => {
    const rand = rng(99);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rand() * 300);
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = round % 3 === 0 ? Math.floor(rand() * 5) : rand();
      const sorted = [...a].sort((x, y) => y - x);
      const k = 1 + Math.floor(rand() * n);
      expect(selectKthLargest(a, k)).toBe(sorted[k - 1]);
    }
  });
});
