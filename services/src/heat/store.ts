// Where instances leave their heat snapshots for each other: one Redis key per instance
// (`<prefix>heat:i:<instanceId>`, expiring a few publish periods after its last
// publication, so a crashed instance drops out by itself) and a set of instance ids
// that lets a reader find the keys without SCAN over the whole keyspace.
import type { Redis } from "ioredis";
import { type InstanceHeat, InstanceHeatSchema } from "./merge.js";

/** What ClusterHeat needs from storage (an in-memory one in unit tests). */
export interface HeatStore {
  publish(snap: InstanceHeat, ttlMs: number): Promise<void>;
  /** Every live instance's snapshot; unreadable ones are left out. */
  readAll(): Promise<InstanceHeat[]>;
  remove(instanceId: string): Promise<void>;
}

// Reads the live snapshots and forgets the ids whose key expired, atomically, so an
// instance that publishes concurrently is never dropped from the set by mistake.
const READ_ALL = `
local ids = redis.call('SMEMBERS', KEYS[1])
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('GET', ARGV[1] .. id)
  if v then out[#out + 1] = v else redis.call('SREM', KEYS[1], id) end
end
return out`;

export class RedisHeatStore implements HeatStore {
  readonly #set: string;
  readonly #keyPrefix: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly onInvalid: (err: unknown) => void = () => {},
  ) {
    this.#set = `${prefix}heat:instances`;
    this.#keyPrefix = `${prefix}heat:i:`;
  }

  async publish(snap: InstanceHeat, ttlMs: number): Promise<void> {
    await this.redis
      .multi()
      .set(this.#keyPrefix + snap.instanceId, JSON.stringify(snap), "PX", ttlMs)
      .sadd(this.#set, snap.instanceId)
      // The set outlives its members by at most one TTL once every instance is gone.
      .pexpire(this.#set, ttlMs)
      .exec();
  }

  async readAll(): Promise<InstanceHeat[]> {
    const raw = (await this.redis.eval(READ_ALL, 1, this.#set, this.#keyPrefix)) as string[];
    const out: InstanceHeat[] = [];
    for (const text of raw) {
      try {
        out.push(InstanceHeatSchema.parse(JSON.parse(text)));
      } catch (err) {
        // Another version's format during a rollout, or garbage: skip it, never fail the view.
        this.onInvalid(err);
      }
    }
    return out;
  }

  async remove(instanceId: string): Promise<void> {
    await this.redis
      .multi()
      .del(this.#keyPrefix + instanceId)
      .srem(this.#set, instanceId)
      .exec();
  }
}
