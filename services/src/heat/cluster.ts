// This instance's part in the cluster-wide heat: publishes its tracker's snapshot every
// period and answers GET /admin/heat with every live instance's heat summed
// (heat/merge.ts). Its own part comes from the live tracker, not from Redis, so it is
// never a period old.
import { AppError } from "../errors.js";
import type { Logger } from "../log.js";
import { type ClusterHeatView, instanceHeat, mergeHeat } from "./merge.js";
import type { HeatStore } from "./store.js";
import type { HeatTracker } from "./tracker.js";

/** A snapshot outlives its publication by this many periods (then the instance counts as gone). */
const TTL_PERIODS = 3;

export interface ClusterHeatOptions {
  tracker: HeatTracker;
  store: HeatStore;
  instanceId: string;
  publishIntervalMs: number;
  log: Logger;
  /** Wall clock in ms (default Date.now): snapshots from other processes are aged by it. */
  now?: () => number;
}

export class ClusterHeat {
  readonly #o: ClusterHeatOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<void> | null = null;
  #failing = false;
  #stopped = false;

  constructor(opts: ClusterHeatOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  get halfLifeMs(): number {
    return this.#o.tracker.halfLifeMs;
  }

  /** Publishes now and then every period until stop(). */
  start(): void {
    if (this.#timer || this.#stopped) return;
    void this.publishOnce();
    this.#timer = setInterval(() => void this.publishOnce(), this.#o.publishIntervalMs);
    this.#timer.unref();
  }

  /** One publication; failures are logged (once per outage), never thrown. Skipped while one is in flight. */
  publishOnce(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (!this.#inFlight) {
      const p = this.#publish().finally(() => {
        if (this.#inFlight === p) this.#inFlight = null;
      });
      this.#inFlight = p;
    }
    return this.#inFlight;
  }

  async #publish(): Promise<void> {
    try {
      const snap = instanceHeat(this.#o.tracker, this.#o.instanceId, this.#now());
      await this.#o.store.publish(snap, TTL_PERIODS * this.#o.publishIntervalMs);
      if (this.#failing) this.#o.log.info("heat snapshot published again");
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) this.#o.log.warn({ err }, "heat snapshot not published; other instances miss it");
      this.#failing = true;
    }
  }

  /** Every live instance's heat summed; each shard's `limit` hottest rooms. */
  async view(limit: number): Promise<ClusterHeatView> {
    const now = this.#now();
    let others: Awaited<ReturnType<HeatStore["readAll"]>>;
    try {
      others = await this.#o.store.readAll();
    } catch (err) {
      // A partial view would look like a cool cluster to the rebalancer: refuse instead.
      this.#o.log.warn({ err }, "heat snapshots unreadable");
      throw new AppError("CHAT_BACKEND_UNAVAILABLE", "other instances' heat is unreadable (Redis)");
    }
    const own = instanceHeat(this.#o.tracker, this.#o.instanceId, now);
    // Own snapshot first: mergeHeat keeps the first of an instance id, i.e. the live one.
    return mergeHeat([own, ...others], now, limit);
  }

  /** Stops publishing and withdraws this instance's snapshot (before Redis closes). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#inFlight;
    await this.#o.store.remove(this.#o.instanceId).catch((err: unknown) => {
      // It expires by itself within a few periods.
      this.#o.log.warn({ err }, "heat snapshot not withdrawn");
    });
  }
}
