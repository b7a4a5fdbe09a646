// Presence in Redis, correct across nodes: one hash per user, one field per socket
// ("status|expiresAtMs"). Each node refreshes its own sockets' fields on a heartbeat;
// a crashed node's fields simply expire, so nobody stays "online" forever. A user is
// online if any live socket is online, away if all live sockets are away.
import type { Redis } from "ioredis";
import type { PresenceStatus } from "../contracts/protocol.js";

interface LocalSocket {
  userId: number;
  status: "online" | "away";
}

export function aggregate(
  fields: Record<string, string>,
  nowMs: number,
): { status: PresenceStatus; expired: string[] } {
  let online = false;
  let away = false;
  const expired: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const [status, exp] = value.split("|");
    if (Number(exp) <= nowMs) {
      expired.push(field);
      continue;
    }
    if (status === "online") online = true;
    else if (status === "away") away = true;
  }
  return { status: online ? "online" : away ? "away" : "offline", expired };
}

export class Presence {
  readonly #local = new Map<string, LocalSocket>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  #key = (userId: number): string => `${this.prefix}presence:${userId}`;

  start(): void {
    // Refresh at a third of the TTL so one missed beat does not flip anyone offline.
    this.#timer = setInterval(() => void this.#heartbeat().catch(() => {}), (this.ttlSeconds * 1000) / 3);
    this.#timer.unref();
  }

  async set(userId: number, socketId: string, status: "online" | "away"): Promise<PresenceStatus> {
    this.#local.set(socketId, { userId, status });
    await this.#write(userId, socketId, status);
    return this.status(userId);
  }

  async remove(userId: number, socketId: string): Promise<PresenceStatus> {
    this.#local.delete(socketId);
    await this.redis.hdel(this.#key(userId), socketId);
    return this.status(userId);
  }

  async status(userId: number): Promise<PresenceStatus> {
    return (await this.statuses([userId]))[String(userId)] ?? "offline";
  }

  async statuses(userIds: readonly number[]): Promise<Record<string, PresenceStatus>> {
    const pipe = this.redis.pipeline();
    for (const id of userIds) pipe.hgetall(this.#key(id));
    const results = (await pipe.exec()) ?? [];
    const now = Date.now();
    const out: Record<string, PresenceStatus> = {};
    userIds.forEach((id, i) => {
      const fields = (results[i]?.[1] ?? {}) as Record<string, string>;
      const { status, expired } = aggregate(fields, now);
      out[String(id)] = status;
      if (expired.length > 0) void this.redis.hdel(this.#key(id), ...expired).catch(() => {});
    });
    return out;
  }

  async #write(userId: number, socketId: string, status: string): Promise<void> {
    const key = this.#key(userId);
    const exp = Date.now() + this.ttlSeconds * 1000;
    await this.redis
      .multi()
      .hset(key, socketId, `${status}|${exp}`)
      .pexpire(key, this.ttlSeconds * 2000)
      .exec();
  }

  async #heartbeat(): Promise<void> {
    await Promise.all([...this.#local].map(([sid, s]) => this.#write(s.userId, sid, s.status)));
  }

  /** On shutdown: remove this node's sockets now instead of waiting for expiry. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await Promise.allSettled([...this.#local].map(([sid, s]) => this.redis.hdel(this.#key(s.userId), sid)));
    this.#local.clear();
  }
}
