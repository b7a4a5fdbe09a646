// Per-room heat: per shard, a decaying top-K of the rooms with the highest write rate.
//
// Counters decay exponentially with a configurable half-life (forward decay: a write
// at time t adds n·2^((t−L)/H) against a landmark L, so nothing is touched when time
// passes; every counter of a shard shares the scale, so comparisons stay valid). The
// landmark moves forward (one O(capacity) rescale) every RESCALE_HALF_LIVES half-lives
// so the scaled values never overflow.
//
// Rate in msgs/s: an exponentially decayed count C with time constant τ = H/ln 2
// tends to r·τ for a steady rate r, so rate = C·ln 2 / H.
//
// Memory is bounded (space-saving / heavy-hitters style): a shard tracks at most
// `capacity` rooms. When a new room arrives at a full table, the table is pruned to
// its capacity/2 hottest rooms in one O(capacity) selection — at most once per
// capacity/2 new rooms, so a record is O(1) amortised. `floor` is the largest count
// ever evicted (in the shared scale): a room that is not tracked has a true decayed
// count ≤ floor, and a room entering the table starts at floor (it may have been
// evicted before), so every estimate is ≥ the true count and over-estimates it by at
// most its `err` (the floor when it entered). Deterministic given the injected clock.
//
// Room ids never go to Prometheus labels: heat is read through the admin API only.

export interface HeatOptions {
  /** Half-life of the decayed counters in milliseconds (default 60 s). */
  halfLifeMs?: number;
  /** Most rooms tracked per shard (memory bound; default 128). top(k) is exact-ish for k ≤ capacity/2. */
  capacity?: number;
  /** Monotonic clock in milliseconds (default performance.now). */
  now?: () => number;
}

export interface RoomHeat {
  roomId: number;
  /** Estimated write rate in messages per second (never below the true decayed rate). */
  rate: number;
  /** This room's part of its shard's rate, 0..1. */
  share: number;
  /** Most by which `rate` may over-estimate (0 for rooms tracked since before any eviction). */
  rateError: number;
}

export interface ShardHeat {
  shardId: number;
  /** Decayed write rate of the whole shard in messages per second (exact, not sampled). */
  rate: number;
  /** Rooms currently tracked for this shard (≤ capacity). */
  trackedRooms: number;
  rooms: RoomHeat[];
}

interface Entry {
  /** Scaled decayed count (relative to the shard's landmark). */
  count: number;
  /** Over-estimate bound, same scale. */
  err: number;
}

/** Rescale once the scale factor reaches 2^RESCALE_HALF_LIVES (far from overflow). */
const RESCALE_HALF_LIVES = 64;

class ShardHeatTable {
  readonly rooms = new Map<number, Entry>();
  /** Scaled decayed count of every write to the shard. */
  total = 0;
  floor = 0;
  constructor(public landmark: number) {}
}

export class HeatTracker {
  readonly halfLifeMs: number;
  readonly capacity: number;
  readonly #keep: number;
  readonly #now: () => number;
  readonly #shards = new Map<number, ShardHeatTable>();

  constructor(opts: HeatOptions = {}) {
    this.halfLifeMs = opts.halfLifeMs ?? 60_000;
    this.capacity = opts.capacity ?? 128;
    if (!(this.halfLifeMs > 0)) throw new RangeError("halfLifeMs must be > 0");
    if (!Number.isInteger(this.capacity) || this.capacity < 2)
      throw new RangeError("capacity must be an integer ≥ 2");
    this.#keep = Math.floor(this.capacity / 2);
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Counts n stored messages of roomId on shardId. O(1) amortised. */
  record(shardId: number, roomId: number, n = 1): void {
    if (!(n > 0)) return;
    const t = this.#now();
    let s = this.#shards.get(shardId);
    if (!s) {
      s = new ShardHeatTable(t);
      this.#shards.set(shardId, s);
    } else if (t - s.landmark >= RESCALE_HALF_LIVES * this.halfLifeMs) {
      this.#rescale(s, t);
    }
    const w = n * 2 ** ((t - s.landmark) / this.halfLifeMs);
    s.total += w;
    const e = s.rooms.get(roomId);
    if (e) {
      e.count += w;
      return;
    }
    if (s.rooms.size >= this.capacity) this.#prune(s);
    s.rooms.set(roomId, { count: s.floor + w, err: s.floor });
  }

  /** The k hottest rooms of a shard, hottest first (ties by room id). */
  top(shardId: number, k = 10): RoomHeat[] {
    const s = this.#shards.get(shardId);
    if (!s || k <= 0) return [];
    const toRate = this.#toRate(s);
    const total = s.total;
    const out: RoomHeat[] = [];
    for (const [roomId, e] of s.rooms) {
      out.push({
        roomId,
        rate: e.count * toRate,
        share: total > 0 ? Math.min(1, e.count / total) : 0,
        rateError: e.err * toRate,
      });
    }
    out.sort((a, b) => b.rate - a.rate || a.roomId - b.roomId);
    return out.slice(0, k);
  }

  /** Decayed write rate of a shard in messages per second (0 for an unknown shard). */
  shardRate(shardId: number): number {
    const s = this.#shards.get(shardId);
    return s ? s.total * this.#toRate(s) : 0;
  }

  /**
   * Most an untracked room of the shard may have written, in msgs/s: the eviction floor.
   * 0 while the shard never evicted, i.e. every room that wrote is tracked.
   */
  untrackedRate(shardId: number): number {
    const s = this.#shards.get(shardId);
    return s ? s.floor * this.#toRate(s) : 0;
  }

  /** Rooms tracked for a shard (the memory bound: always ≤ capacity). */
  trackedRooms(shardId: number): number {
    return this.#shards.get(shardId)?.rooms.size ?? 0;
  }

  /** Shards that have seen writes on this instance, ascending. */
  shardIds(): number[] {
    return [...this.#shards.keys()].sort((a, b) => a - b);
  }

  /** Every shard with its rate and top k rooms (the admin API's view). */
  snapshot(k = 10): ShardHeat[] {
    return this.shardIds().map((shardId) => ({
      shardId,
      rate: this.shardRate(shardId),
      trackedRooms: this.trackedRooms(shardId),
      rooms: this.top(shardId, k),
    }));
  }

  /** Factor from a scaled count to msgs/s at the current time. */
  #toRate(s: ShardHeatTable): number {
    const t = this.#now();
    return (2 ** (-(t - s.landmark) / this.halfLifeMs) * Math.LN2 * 1000) / this.halfLifeMs;
  }

  #rescale(s: ShardHeatTable, t: number): void {
    const f = 2 ** (-(t - s.landmark) / this.halfLifeMs);
    s.landmark = t;
    s.total *= f;
    s.floor *= f;
    for (const e of s.rooms.values()) {
      e.count *= f;
      e.err *= f;
    }
  }

  /** Keeps the capacity/2 hottest rooms (ties: the earlier-tracked room stays). O(capacity). */
  #prune(s: ShardHeatTable): void {
    const counts = new Float64Array(s.rooms.size);
    let i = 0;
    for (const e of s.rooms.values()) counts[i++] = e.count;
    // The keep-th largest count: rooms strictly above it stay, then ties in table order.
    const threshold = selectKthLargest(counts, this.#keep);
    let above = 0;
    for (const e of s.rooms.values()) if (e.count > threshold) above++;
    let tiesLeft = this.#keep - above;
    for (const [roomId, e] of s.rooms) {
      if (e.count > threshold) continue;
      if (e.count === threshold && tiesLeft > 0) {
        tiesLeft--;
        continue;
      }
      if (e.count > s.floor) s.floor = e.count;
      s.rooms.delete(roomId);
    }
  }
}

/** The k-th largest value (1-based) of a; reorders a. Expected O(n) (quickselect, median-of-three). */
export function selectKthLargest(a: Float64Array, k: number): number {
  if (k < 1 || k > a.length) throw new RangeError("k out of range");
  const target = k - 1; // index in descending order
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo] as number;
    const y = a[mid] as number;
    const z = a[hi] as number;
    // Median of three.
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) > pivot) i++;
      while ((a[j] as number) < pivot) j--;
      if (i <= j) {
        const tmp = a[i] as number;
        a[i] = a[j] as number;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target] as number;
  }
  return a[lo] as number;
}
