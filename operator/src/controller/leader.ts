// Lease leader election (coordination.k8s.io/v1) with client-go's rules: a lease is expired when its
// record has not changed for leaseDuration as seen on OUR clock (no trust in other clocks); acquire and
// renew are optimistic-concurrency updates (a 409 means someone else won); a leader that cannot renew
// within renewDeadline steps down; on shutdown the leader releases the lease so a standby takes over at once.
import type { Logger } from "pino";
import type { KubeClient } from "../kube/client.js";
import { ApiError, isConflict } from "../kube/http.js";
import type { KObject } from "../kube/resources.js";

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export type Lease = KObject & { spec?: LeaseSpec };

export interface LeaseStore {
  get(): Promise<Lease | undefined>;
  create(l: Lease): Promise<Lease>;
  update(l: Lease): Promise<Lease>;
}

export interface ElectionTiming {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_TIMING: ElectionTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

export class LeaderElector {
  private observedRV: string | undefined;
  private observedAt = 0;
  private leading = false;
  private stopped = false;
  private wake?: () => void;

  constructor(
    private readonly store: LeaseStore,
    private readonly leaseName: string,
    private readonly namespace: string,
    readonly identity: string,
    private readonly timing: ElectionTiming = DEFAULT_TIMING,
    private readonly now: () => number = Date.now,
    private readonly log?: Logger,
  ) {}

  isLeader(): boolean {
    return this.leading;
  }

  /** One attempt; true when we hold the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const durationSeconds = Math.ceil(this.timing.leaseDurationMs / 1000);
    let cur: Lease | undefined;
    try {
      cur = await this.store.get();
    } catch (e) {
      this.log?.warn({ err: String(e) }, "leader election: cannot read lease");
      return false;
    }
    if (!cur) {
      try {
        const created = await this.store.create({
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: this.leaseName, namespace: this.namespace },
          spec: {
            holderIdentity: this.identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        });
        this.observe(created, now);
        return true;
      } catch (e) {
        if (e instanceof ApiError && (e.code === 409 || e.code === 422)) return false;
        this.log?.warn({ err: String(e) }, "leader election: cannot create lease");
        return false;
      }
    }
    if (cur.metadata.resourceVersion !== this.observedRV) this.observe(cur, now);
    const spec = cur.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    const leaseMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    const mine = holder === this.identity;
    if (!mine && holder !== "" && this.observedAt + leaseMs > now) return false;
    const next: Lease = {
      ...cur,
      spec: {
        ...spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: durationSeconds,
        renewTime: microTime(now),
        acquireTime: mine ? spec.acquireTime : microTime(now),
        leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    try {
      const updated = await this.store.update(next);
      this.observe(updated, now);
      return true;
    } catch (e) {
      if (!isConflict(e)) this.log?.warn({ err: String(e) }, "leader election: cannot update lease");
      return false;
    }
  }

  private observe(l: Lease, now: number): void {
    this.observedRV = l.metadata.resourceVersion;
    this.observedAt = now;
  }

  /**
   * Blocks until leadership is acquired, calls onStarted, keeps renewing; returns when leadership is lost
   * (renewDeadline passed without a successful renew) or stop() was called.
   */
  async run(onStarted: () => void, sleep = defaultSleep): Promise<"lost" | "stopped"> {
    while (!this.stopped && !(await this.tryAcquireOrRenew())) {
      await sleep(this.timing.retryPeriodMs * (1 + Math.random() * 0.2), (w) => (this.wake = w));
    }
    if (this.stopped) return "stopped";
    this.leading = true;
    this.log?.info({ identity: this.identity }, "became leader");
    onStarted();
    let lastRenew = this.now();
    while (!this.stopped) {
      await sleep(this.timing.retryPeriodMs, (w) => (this.wake = w));
      if (this.stopped) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = this.now();
      } else if (this.now() - lastRenew > this.timing.renewDeadlineMs) {
        this.leading = false;
        this.log?.error({ identity: this.identity }, "lost leadership");
        return "lost";
      }
    }
    return "stopped";
  }

  /** Stops the loop; a leader gives the lease up so a standby can take over without waiting it out. */
  async release(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (!this.leading) return;
    this.leading = false;
    try {
      const cur = await this.store.get();
      if (cur?.spec?.holderIdentity !== this.identity) return;
      await this.store.update({
        ...cur,
        spec: { ...cur.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime(this.now()) },
      });
    } catch (e) {
      this.log?.warn({ err: String(e) }, "leader election: release failed");
    }
  }
}

type Sleep = (ms: number, setWake: (wake: () => void) => void) => Promise<void>;

const defaultSleep: Sleep = (ms, setWake) =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    setWake(() => {
      clearTimeout(t);
      resolve();
    });
  });

/** The Lease as a KubeClient-backed store. Writes here are not reconcile writes (they are not counted as such). */
export function kubeLeaseStore(client: KubeClient, namespace: string, name: string): LeaseStore {
  const ref = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace, name };
  return {
    get: async () => (await client.get(ref)) as Lease | undefined,
    create: async (l) => (await client.create(l)) as Lease,
    update: async (l) => (await client.replace(l)) as Lease,
  };
}
