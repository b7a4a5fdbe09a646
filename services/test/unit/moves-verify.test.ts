import { describe, expect, it } from "vitest";
import { addChecksums, ROOM_TABLE, ROOM_TABLES, seqSlices, tailWhere } from "../../src/moves/tables.js";

describe("the fenced verification's pure parts", () => {
  it("combines checksums of disjoint parts into the whole's: counts and sums add, CRC32s xor", () => {
    expect(addChecksums([])).toEqual({ n: 0, sum: "0:0" });
    expect(
      addChecksums([
        { n: 2, sum: "10:5" },
        { n: 3, sum: "7:3" },
      ]),
    ).toEqual({ n: 5, sum: "17:6" });
    // MD5 sums of a big room pass 2^53: added exactly, never as floats.
    expect(
      addChecksums([
        { n: 1, sum: "281474976710655000:4294967295" },
        { n: 1, sum: "281474976710655001:1" },
      ]),
    ).toEqual({ n: 2, sum: "562949953421310001:4294967294" });
  });

  it("splits seqs into contiguous slices that cover every seq, the ends open", () => {
    for (const [top, parts] of [
      [0, 3],
      [1, 3],
      [2, 3],
      [10_000, 3],
      [50_001, 4],
    ] as const) {
      const slices = seqSlices(top, parts);
      expect(slices.length).toBe(Math.max(1, Math.min(parts, top)));
      expect(slices[0]?.[0]).toBeNull();
      expect(slices.at(-1)?.[1]).toBeNull();
      for (let i = 1; i < slices.length; i++) expect(slices[i]?.[0]).toBe(slices[i - 1]?.[1]);
      // Every seq 1..top (and any beyond) falls in exactly one slice.
      for (const seq of [1, Math.floor(top / 2), top, top + 5]) {
        const inSlice = slices.filter(([lo, hi]) => (lo === null || seq > lo) && (hi === null || seq <= hi));
        expect(inSlice.length, `seq ${seq} of ${top}`).toBe(1);
      }
    }
  });

  it("finds the appended tail by the seq column, only of tables that have one", () => {
    const messages = ROOM_TABLES.find((t) => t.name === "messages");
    expect(messages && tailWhere(messages, 7, 42)).toEqual({
      sql: "room_id = ? AND seq > ?",
      params: [7, 42],
    });
    expect(() => tailWhere(ROOM_TABLE, 7, 42)).toThrow(/no tail/);
    const withTail = ROOM_TABLES.filter((t) => t.tail).map((t) => t.name);
    expect(withTail).toEqual(["messages", "message_dedup", "search_docs", "search_postings"]);
    for (const t of ROOM_TABLES.filter((x) => x.tail)) expect(t.cols).toContain(t.tail);
  });
});
