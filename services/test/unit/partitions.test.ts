import { describe, expect, it } from "vitest";
import { partitionUpperBound, planPartitions } from "../../src/db/partitions.js";

const now = new Date("2026-11-21T13:00:00Z");

describe("partition planner", () => {
  it("splits the current and next two months off p_future on a fresh table", () => {
    const plan = planPartitions(["p_start", "p_future"], now, 0);
    expect(plan.create).toEqual([
      { name: "p202611", lessThan: "2026-12-01 00:00:00" },
      { name: "p202612", lessThan: "2027-01-01 00:00:00" },
      { name: "p202701", lessThan: "2027-02-01 00:00:00" },
    ]);
    expect(plan.drop).toEqual([]);
  });

  it("is idempotent once partitions exist", () => {
    const plan = planPartitions(["p_start", "p202611", "p202612", "p202701", "p_future"], now, 0);
    expect(plan).toEqual({ create: [], drop: [] });
  });

  it("drops only partitions entirely older than retention", () => {
    const existing = ["p_start", "p202607", "p202608", "p202609", "p202610", "p202611", "p_future"];
    const plan = planPartitions(existing, now, 2);
    // cutoff = 2026-09-01: p202607 (<08-01) and p202608 (<09-01) are wholly older.
    expect(plan.drop).toEqual(["p_start", "p202607", "p202608"]);
  });

  it("never drops with retention 0 and never drops p_future", () => {
    expect(planPartitions(["p200001", "p_future"], now, 0).drop).toEqual([]);
    expect(planPartitions(["p_future"], now, 1).drop).toEqual([]);
  });

  it("computes bounds from names", () => {
    expect(partitionUpperBound("p202612")?.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(partitionUpperBound("p_future")).toBeNull();
  });
});

describe("partition planner catch-up", () => {
  it("fills every month since the highest partition after a long pause", () => {
    const plan = planPartitions(["p_start", "p202611", "p_future"], new Date("2027-02-10T00:00:00Z"), 0, 1);
    expect(plan.create.map((c) => c.name)).toEqual(["p202612", "p202701", "p202702", "p202703"]);
  });
});
