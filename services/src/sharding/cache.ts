// Per-instance cache of directory entries. Bounded (oldest entries go first) and
// invalidated by epoch-change notices; a stale entry that slips through is caught
// by the epoch fence on the shard, which triggers a refresh and a retry.
export interface RoomRoute {
  roomId: number;
  shardId: number;
  epoch: number;
  state: string;
}

export class DirectoryCache {
  readonly #entries = new Map<number, RoomRoute>();
  constructor(private readonly maxEntries = 100_000) {}

  get(roomId: number): RoomRoute | undefined {
    return this.#entries.get(roomId);
  }

  set(route: RoomRoute): void {
    // Re-inserting moves the key to the end of Map's insertion order (LRU-ish).
    this.#entries.delete(route.roomId);
    this.#entries.set(route.roomId, route);
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /** Applies an epoch-change notice: drops the entry unless it is already at least that new. */
  onEpochChange(roomId: number, epoch: number): boolean {
    const cur = this.#entries.get(roomId);
    if (cur && cur.epoch >= epoch && epoch > 0) return false;
    return this.#entries.delete(roomId);
  }

  delete(roomId: number): void {
    this.#entries.delete(roomId);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** Parses an epoch-change notice from Redis; garbage is ignored, never thrown. */
export function parseEpochNotice(raw: string): { roomId: number; epoch: number } | null {
  try {
    const v = JSON.parse(raw) as { roomId?: unknown; epoch?: unknown };
    if (Number.isSafeInteger(v.roomId) && Number.isSafeInteger(v.epoch)) {
      return { roomId: v.roomId as number, epoch: v.epoch as number };
    }
  } catch {
    // fall through
  }
  return null;
}
