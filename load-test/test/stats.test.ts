import { describe, expect, it } from "vitest";
import { mapLimit, Samples } from "../src/stats.js";

describe("Samples", () => {
  it("reports nearest-rank percentiles over what it kept", () => {
    const s = new Samples(1000);
    for (let i = 100; i >= 1; i--) s.add(i);
    const q = s.summary();
    expect(q.count).toBe(100);
    expect(q.p50).toBe(51);
    expect(q.p99).toBe(100);
    expect(q.max).toBe(100);
  });

  it("is bounded and counts what it dropped", () => {
    const s = new Samples(3);
    for (let i = 0; i < 5; i++) s.add(i);
    expect(s.count).toBe(3);
    expect(s.dropped).toBe(2);
  });

  it("summarises an empty buffer as NaN, not zero", () => {
    expect(Number.isNaN(new Samples(1).summary().p99)).toBe(true);
  });
});

describe("mapLimit", () => {
  it("keeps order and never exceeds the limit", async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, x));
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
