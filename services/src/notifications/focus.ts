// Which room each user is looking at right now, across realtime nodes. A client
// emits `room:focus {roomId}` when a room is on screen and `room:focus {roomId: null}`
// when it is not (blur, other room, idle). Stored like presence: one Redis hash per
// user, one field per socket ("roomId|expiresAtMs"), refreshed by the node that owns
// the socket, so a crashed node's focus simply expires.
import type { Redis } from "ioredis";

export class Focus {
  readonly #local = new Map<string, { userId: number; roomId: number }>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  #key = (userId: number): string => `${this.prefix}focus:${userId}`;

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#heartbeat().catch(() => {}), (this.ttlSeconds * 1000) / 3);
    this.#timer.unref();
  }

  async set(userId: number, socketId: string, roomId: number | null): Promise<void> {
    if (roomId === null) {
      await this.remove(userId, socketId);
      return;
    }
    this.#local.set(socketId, { userId, roomId });
    await this.#write(userId, socketId, roomId);
  }

  async remove(userId: number, socketId: string): Promise<void> {
    this.#local.delete(socketId);
    await this.redis.hdel(this.#key(userId), socketId);
  }

  /** The users among userIds that have a live socket focused on roomId. */
  async viewers(userIds: readonly number[], roomId: number): Promise<Set<number>> {
    const out = new Set<number>();
    if (userIds.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const id of userIds) pipe.hgetall(this.#key(id));
    const results = (await pipe.exec()) ?? [];
    const now = Date.now();
    userIds.forEach((id, i) => {
      const fields = (results[i]?.[1] ?? {}) as Record<string, string>;
      for (const value of Object.values(fields)) {
        const [room, exp] = value.split("|");
        if (Number(room) === roomId && Number(exp) > now) {
          out.add(id);
          break;
        }
      }
    });
    return out;
  }

  async #write(userId: number, socketId: string, roomId: number): Promise<void> {
    const key = this.#key(userId);
    await this.redis
      .multi()
      .hset(key, socketId, `${roomId}|${Date.now() + this.ttlSeconds * 1000}`)
      .pexpire(key, this.ttlSeconds * 2000)
      .exec();
  }

  async #heartbeat(): Promise<void> {
    await Promise.all([...this.#local].map(([sid, f]) => this.#write(f.userId, sid, f.roomId)));
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#local].map(([sid, f]) => this.redis.hdel(this.#key(f.userId), sid)));
    this.#local.clear();
  }
}
