// One room's messages as the client holds them: a window of seqs, merged by seq so a
// message that arrives twice (live and again through sync) is stored once, and the
// contiguity facts the sync logic needs. Pure: unit-tested without a browser.
import type { MessageDto } from "../contracts.js";

export interface Timeline {
  /** Messages by seq, all of the window (thread replies included). */
  bySeq: Map<number, MessageDto>;
  /** Seqs in ascending order. */
  seqs: number[];
  /** Older history exists below the window. */
  hasOlder: boolean;
  /**
   * The window reaches the room's newest message: everything up to `synced` is held, so a
   * live message with seq synced + 1 is appended and a larger one means a gap to sync.
   */
  attached: boolean;
  /** Highest seq up to which the window is complete (meaningful when attached). */
  synced: number;
}

export const emptyTimeline = (): Timeline => ({
  bySeq: new Map(),
  seqs: [],
  hasOlder: true,
  attached: false,
  synced: 0,
});

/** Returns a new timeline with the messages merged in (a newer edit wins over an older copy). */
export function merge(t: Timeline, msgs: readonly MessageDto[]): Timeline {
  if (msgs.length === 0) return t;
  const bySeq = new Map(t.bySeq);
  for (const m of msgs) {
    const had = bySeq.get(m.seq);
    if (!had || version(m) >= version(had)) bySeq.set(m.seq, m);
  }
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  return { ...t, bySeq, seqs };
}

const version = (m: MessageDto): string => `${m.deletedAt ?? ""}|${m.editedAt ?? ""}`;

/** Advances `synced` over every contiguous seq held above it. */
export function advance(t: Timeline): Timeline {
  let s = t.synced;
  while (t.bySeq.has(s + 1)) s++;
  return s === t.synced ? t : { ...t, synced: s };
}

/** What to do with a live message: append it, or fetch the gap before it first. */
export function liveAction(t: Timeline, seq: number): "append" | "gap" | "ignore" {
  if (!t.attached) return "ignore";
  if (seq <= t.synced + 1) return "append";
  return "gap";
}

/** Seqs that are missing inside the window (should be none: shown in the tests). */
export function holes(t: Timeline): number[] {
  const out: number[] = [];
  for (let i = 1; i < t.seqs.length; i++) {
    const a = t.seqs[i - 1]!;
    const b = t.seqs[i]!;
    for (let s = a + 1; s < b; s++) out.push(s);
  }
  return out;
}

export function update(t: Timeline, seq: number, fn: (m: MessageDto) => MessageDto): Timeline {
  const m = t.bySeq.get(seq);
  if (!m) return t;
  const bySeq = new Map(t.bySeq);
  bySeq.set(seq, fn(m));
  return { ...t, bySeq };
}
