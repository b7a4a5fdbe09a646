// Pure analysis of the room-move benchmark's client samples (src/move-load.ts): the
// write pause each move caused as the clients saw it, and throughput in time windows.
//
// Client-seen pause of one move = the longest gap between consecutive acknowledgements
// of the moving room's sends around that move. The room is written at a steady rate, so
// acks normally arrive every few ms; while the room is fenced none arrive, and the gap
// spans the fence. Sends whose first attempt fell inside that gap "hit the fence"; their
// first-attempt → ack time is what a user waited. The same statistic over a window with
// no move shows the noise floor (GC, the box's CPU contention).
import type { LoadSamples } from "./move-load.js";
import { type LatencySummary, Samples } from "./stats.js";

export interface Window {
  from: number;
  to: number;
}

export interface MovePause {
  /** Longest ack gap of the room in the move's window (ms). */
  gapMs: number;
  gapFrom: number;
  gapTo: number;
  /** First attempt → ack (ms) of the room's sends that started inside the gap. */
  fenceHit: number[];
}

export function summarize(xs: readonly number[]): LatencySummary {
  const s = new Samples(Math.max(1, xs.length));
  for (const x of xs) s.add(x);
  return s.summary();
}

/** Acknowledgement times of one room's sends, ascending (unacknowledged sends left out). */
export function roomAcks(s: LoadSamples, roomId: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.room.length; i++) {
    const ack = s.ack[i] as number;
    if (s.room[i] === roomId && ack >= 0) out.push(ack);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Longest gap between consecutive acks that overlaps `w`: the last ack before w.from and
 * the first after w.to count as ends, so a gap crossing the window's edge is seen whole.
 */
export function maxGap(acks: readonly number[], w: Window): { gapMs: number; from: number; to: number } {
  let best = { gapMs: 0, from: w.from, to: w.from };
  let lo = 0;
  while (lo + 1 < acks.length && (acks[lo + 1] as number) <= w.from) lo++;
  for (let i = lo; i + 1 < acks.length; i++) {
    const a = acks[i] as number;
    const b = acks[i + 1] as number;
    if (a > w.to) break;
    if (b - a > best.gapMs) best = { gapMs: b - a, from: a, to: b };
  }
  return best;
}

/** Per move window: the room's longest ack gap and the latency of the sends caught in it. */
export function movePauses(s: LoadSamples, roomId: number, windows: readonly Window[]): MovePause[] {
  const acks = roomAcks(s, roomId);
  return windows.map((w) => {
    const g = maxGap(acks, w);
    const fenceHit: number[] = [];
    for (let i = 0; i < s.room.length; i++) {
      const start = s.start[i] as number;
      const ack = s.ack[i] as number;
      if (s.room[i] === roomId && ack >= 0 && start > g.from && start < g.to) fenceHit.push(ack - start);
    }
    return { gapMs: g.gapMs, gapFrom: g.from, gapTo: g.to, fenceHit };
  });
}

/** Acknowledged sends per second whose ack fell in the window. */
export function ackRate(s: LoadSamples, w: Window, room?: number): number {
  let n = 0;
  for (let i = 0; i < s.ack.length; i++) {
    const ack = s.ack[i] as number;
    if (ack >= w.from && ack < w.to && (room === undefined || s.room[i] === room)) n++;
  }
  const secs = (w.to - w.from) / 1000;
  return secs > 0 ? n / secs : Number.NaN;
}

/** First attempt → ack (ms) of acknowledged sends started in the window, optionally one room or all but one. */
export function latencies(
  s: LoadSamples,
  w: Window,
  filter: (room: number) => boolean = () => true,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.room.length; i++) {
    const start = s.start[i] as number;
    const ack = s.ack[i] as number;
    if (ack >= 0 && start >= w.from && start < w.to && filter(s.room[i] as number)) out.push(ack - start);
  }
  return out;
}
