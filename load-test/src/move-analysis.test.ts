// The room-move benchmark's analysis: ack gaps around a move, fence-hit latencies, rates.
import { describe, expect, it } from "vitest";
import { ackRate, latencies, maxGap, movePauses, roomAcks } from "./move-analysis.js";
import type { LoadSamples } from "./move-load.js";

/** Samples of sends to `room` every `every` ms from t=0 to `until`, acked after `lat` ms, none acked in [pauseFrom, pauseTo). */
function steady(
  room: number,
  every: number,
  until: number,
  lat: number,
  pause?: [number, number],
): LoadSamples {
  const s: LoadSamples = { room: [], sender: [], k: [], start: [], ack: [], moving: [], attempts: [] };
  for (let t = 0, k = 0; t < until; t += every, k++) {
    let ack = t + lat;
    if (pause && ack >= pause[0] && ack < pause[1]) ack = pause[1];
    s.room.push(room);
    s.sender.push(0);
    s.k.push(k);
    s.start.push(t);
    s.ack.push(ack);
    s.moving.push(0);
    s.attempts.push(1);
  }
  return s;
}

describe("move analysis", () => {
  it("finds the fence as the longest ack gap and the sends caught in it", () => {
    const s = steady(7, 10, 2000, 5, [1000, 1080]);
    const [p] = movePauses(s, 7, [{ from: 900, to: 1200 }]);
    // Last ack before the fence at 995 (send of 990), released at 1080.
    expect(p?.gapMs).toBe(85);
    expect(p?.gapFrom).toBe(995);
    expect(p?.gapTo).toBe(1080);
    // Sends started at 1000..1070 waited until 1080.
    expect(p?.fenceHit).toEqual([80, 70, 60, 50, 40, 30, 20, 10]);
    // A window with no fence sees only the steady 10 ms spacing.
    expect(movePauses(s, 7, [{ from: 100, to: 400 }])[0]?.gapMs).toBe(10);
  });

  it("sees a gap that crosses the window's edges whole, and ignores other rooms and unacked sends", () => {
    const acks = [0, 10, 20, 500, 510];
    expect(maxGap(acks, { from: 100, to: 200 })).toEqual({ gapMs: 480, from: 20, to: 500 });
    const s = steady(1, 100, 1000, 1);
    s.room.push(2);
    s.sender.push(0);
    s.k.push(99);
    s.start.push(450);
    s.ack.push(-1);
    s.moving.push(0);
    s.attempts.push(3);
    expect(roomAcks(s, 1)).toHaveLength(10);
    expect(roomAcks(s, 2)).toEqual([]);
  });

  it("counts acks per second in a window and latencies of sends started in it", () => {
    const s = steady(3, 10, 1000, 4);
    expect(ackRate(s, { from: 0, to: 500 })).toBeCloseTo(100, 6);
    expect(ackRate(s, { from: 0, to: 500 }, 4)).toBe(0);
    expect(latencies(s, { from: 0, to: 100 })).toEqual(Array(10).fill(4));
    expect(latencies(s, { from: 0, to: 100 }, (r) => r !== 3)).toEqual([]);
  });
});
