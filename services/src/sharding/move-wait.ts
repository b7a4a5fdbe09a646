// Writers that meet a room in state `moving` wait for the move to flip (or release) its
// fence. One poller per room re-reads the directory, woken early by the Redis epoch
// notice, however many writers wait on the room.
import type { RoomDirectory, RoomRoute } from "./directory.js";

interface RoomWait {
  waiters: Set<(route: RoomRoute | null) => void>;
}

export class MoveWaiter {
  readonly #rooms = new Map<number, RoomWait>();

  constructor(
    private readonly directory: RoomDirectory,
    private readonly pollMs = 50,
  ) {}

  /** The room's route once it is no longer `moving` (null = gone), or undefined after `timeoutMs`. */
  wait(roomId: number, timeoutMs: number): Promise<RoomRoute | null | undefined> {
    return new Promise((resolve) => {
      let w = this.#rooms.get(roomId);
      const fresh = !w;
      if (!w) {
        w = { waiters: new Set() };
        this.#rooms.set(roomId, w);
      }
      const room = w;
      const done = (route: RoomRoute | null) => {
        clearTimeout(timer);
        resolve(route);
      };
      const timer = setTimeout(() => {
        room.waiters.delete(done);
        resolve(undefined);
      }, timeoutMs);
      room.waiters.add(done);
      if (fresh) void this.#poll(roomId, room);
    });
  }

  async #poll(roomId: number, w: RoomWait): Promise<void> {
    try {
      while (w.waiters.size > 0) {
        await this.directory.nextNotice(roomId, this.pollMs);
        if (w.waiters.size === 0) break;
        let route: RoomRoute | null;
        try {
          route = await this.directory.lookup(roomId, { fresh: true });
        } catch {
          continue;
        }
        if (route && route.state === "moving") continue;
        const waiters = [...w.waiters];
        w.waiters.clear();
        for (const f of waiters) f(route);
      }
    } finally {
      this.#rooms.delete(roomId);
    }
  }
}
