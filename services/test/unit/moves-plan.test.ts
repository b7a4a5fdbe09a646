import { describe, expect, it } from "vitest";
import { canTransition, isFlipped, MOVE_STATES, predecessors, resumeAction } from "../../src/moves/state.js";
import { toDto } from "../../src/moves/store.js";
import {
  checksumSelect,
  keyCompare,
  ROOM_TABLES,
  rangeWhere,
  throttleDelayMs,
} from "../../src/moves/tables.js";

describe("move state machine", () => {
  it("only goes forward after the flip, and can be aborted or failed at every step before it", () => {
    for (const s of MOVE_STATES) {
      const flippedOrDone = isFlipped(s) || ["Done", "Failed", "Aborted"].includes(s);
      expect(canTransition(s, "Aborted"), s).toBe(!flippedOrDone);
      expect(canTransition(s, "Failed"), s).toBe(!flippedOrDone);
    }
    expect(canTransition("Flipped", "CleaningUp")).toBe(true);
    expect(canTransition("CleaningUp", "Done")).toBe(true);
    expect(canTransition("Verifying", "Flipped")).toBe(true);
    expect(canTransition("Copying", "Flipped")).toBe(false);
    expect(canTransition("Done", "Copying")).toBe(false);
    // A fence given up goes back to catching up.
    expect(canTransition("Fenced", "CatchingUp")).toBe(true);
    expect(canTransition("Verifying", "CatchingUp")).toBe(true);
  });

  it("lists the states a state may be entered from (the conditional update of a move's state)", () => {
    expect(predecessors("Flipped")).toEqual(["Verifying"]);
    expect(predecessors("Done")).toEqual(["CleaningUp"]);
    expect(predecessors("Aborted")).toEqual(["Pending", "Copying", "CatchingUp", "Fenced", "Verifying"]);
    expect(predecessors("Pending")).toEqual([]);
  });

  it("tells a supervisor how to continue a move whose mover died", () => {
    expect(resumeAction("Pending", false)).toBe("copy");
    expect(resumeAction("Copying", false)).toBe("copy");
    expect(resumeAction("CatchingUp", false)).toBe("catch-up");
    expect(resumeAction("Fenced", false)).toBe("unfence");
    expect(resumeAction("Verifying", false)).toBe("unfence");
    expect(resumeAction("Copying", true)).toBe("rollback");
    expect(resumeAction("Fenced", true)).toBe("rollback");
    // An abort request after the flip is ignored: the move only goes forward.
    expect(resumeAction("Flipped", true)).toBe("cleanup");
    expect(resumeAction("CleaningUp", false)).toBe("cleanup");
    expect(resumeAction("Done", false)).toBe("none");
    expect(resumeAction("Aborted", true)).toBe("none");
  });

  it("shows the epoch only once flipped and the failure as the reason", () => {
    const base = {
      id: 7,
      roomId: 3,
      fromShard: 0,
      toShard: 1,
      epochBefore: 1,
      fenceEpoch: 2,
      epochAfter: 3,
      cursors: {},
      rowsCopied: 10,
      fenceAttempts: 0,
      writePauseMs: 12,
      abortRequested: false,
      owner: null,
      reason: "hot",
      failure: null,
      startedAt: new Date("2026-01-01T00:00:00Z"),
      finishedAt: null,
    };
    expect(toDto({ ...base, state: "Verifying" })).toMatchObject({ id: "7", epoch: null, reason: "hot" });
    expect(toDto({ ...base, state: "Done" })).toMatchObject({ epoch: 3, writePauseMillis: 12 });
    expect(toDto({ ...base, state: "Failed", failure: "verification failed" }).reason).toBe(
      "verification failed",
    );
  });
});

describe("chunk planning", () => {
  it("spells a key comparison as ORs of equalities", () => {
    expect(keyCompare(["seq"], ">", [5])).toEqual({ sql: "((seq > ?))", params: [5] });
    expect(keyCompare(["a", "b"], ">", [1, "x"])).toEqual({
      sql: "((a > ?) OR (a = ? AND b > ?))",
      params: [1, 1, "x"],
    });
    expect(keyCompare(["a", "b"], "<=", [1, "x"])).toEqual({
      sql: "((a < ?) OR (a = ? AND b < ?) OR (a = ? AND b = ?))",
      params: [1, 1, "x", 1, "x"],
    });
    expect(keyCompare([], ">", [])).toEqual({ sql: "TRUE", params: [] });
  });

  it("bounds one room's range (lo, hi] and leaves open ends open", () => {
    const spec = ROOM_TABLES.find((t) => t.name === "messages");
    if (!spec) throw new Error("messages spec missing");
    expect(rangeWhere(spec, 9, null, null)).toEqual({ sql: "room_id = ? AND TRUE AND TRUE", params: [9] });
    const w = rangeWhere(spec, 9, [10], [20]);
    expect(w.sql).toBe("room_id = ? AND ((seq > ?)) AND ((seq < ?) OR (seq = ?))");
    expect(w.params).toEqual([9, 10, 20, 20]);
  });

  it("covers every room-scoped table keyed by room first, with the key inside the copied columns", () => {
    expect(ROOM_TABLES.map((t) => t.name)).toEqual([
      "room_members",
      "messages",
      "message_dedup",
      "reactions",
      "read_markers",
      "search_docs",
      "search_postings",
    ]);
    for (const t of ROOM_TABLES) {
      expect(t.cols).toContain(t.roomCol);
      for (const k of t.key) expect(t.cols, `${t.name}.${k}`).toContain(k);
    }
  });

  it("checksums rows as bytes with NULL distinct from every value", () => {
    const sql = checksumSelect(["a", "b"]);
    expect(sql).toContain("COALESCE(CAST(a AS BINARY), 0x00)");
    expect(sql).toContain("COUNT(*) AS n");
  });

  it("throttles to the configured rows per second (0 = unlimited)", () => {
    expect(throttleDelayMs(1000, 0, 0)).toBe(0);
    expect(throttleDelayMs(100, 0, 100)).toBe(1000);
    expect(throttleDelayMs(100, 600, 100)).toBe(400);
    expect(throttleDelayMs(100, 2000, 100)).toBe(0);
  });
});
