import { describe, expect, it } from "vitest";
import { ApiError } from "../kube/http.js";
import { LeaderElector, type Lease, type LeaseStore, microTime } from "./leader.js";

class MemLeaseStore implements LeaseStore {
  lease: Lease | undefined;
  rv = 0;
  async get() {
    return this.lease ? structuredClone(this.lease) : undefined;
  }
  async create(l: Lease) {
    if (this.lease) throw new ApiError(409, "AlreadyExists", "exists");
    this.lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }
  async update(l: Lease) {
    if (!this.lease || l.metadata.resourceVersion !== this.lease.metadata.resourceVersion) {
      throw new ApiError(409, "Conflict", "conflict");
    }
    this.lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }
}

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

describe("LeaderElector", () => {
  it("the first candidate creates the lease; the second waits", async () => {
    const store = new MemLeaseStore();
    let t = 1000;
    const a = new LeaderElector(store, "op", "ns", "a", timing, () => t);
    const b = new LeaderElector(store, "op", "ns", "b", timing, () => t);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    t += 5000;
    expect(await a.tryAcquireOrRenew()).toBe(true); // renew
    expect(await b.tryAcquireOrRenew()).toBe(false);
    expect(store.lease?.spec?.holderIdentity).toBe("a");
  });

  it("a standby takes over once the lease has not changed for leaseDuration on its own clock", async () => {
    const store = new MemLeaseStore();
    let t = 0;
    const a = new LeaderElector(store, "op", "ns", "a", timing, () => t);
    const b = new LeaderElector(store, "op", "ns", "b", timing, () => t);
    await a.tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).toBe(false); // b observes the record at t=0
    t = 14_000;
    expect(await b.tryAcquireOrRenew()).toBe(false);
    t = 15_001; // a died: no renewals
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(store.lease?.spec?.holderIdentity).toBe("b");
    expect(store.lease?.spec?.leaseTransitions).toBe(1);
  });

  it("a conflicting update loses", async () => {
    const store = new MemLeaseStore();
    const a = new LeaderElector(store, "op", "ns", "a", timing, () => 0);
    await a.tryAcquireOrRenew();
    const orig = store.update.bind(store);
    store.update = async (l) => {
      store.lease = {
        ...(store.lease as Lease),
        metadata: { ...(store.lease as Lease).metadata, resourceVersion: "x" },
      };
      return orig(l);
    };
    expect(await a.tryAcquireOrRenew()).toBe(false);
  });

  it("release hands the lease over immediately", async () => {
    const store = new MemLeaseStore();
    let t = 0;
    const a = new LeaderElector(store, "op", "ns", "a", timing, () => t);
    const b = new LeaderElector(store, "op", "ns", "b", timing, () => t);
    const sleep = () => new Promise<void>((r) => setTimeout(r, 1));
    let started = false;
    const run = a.run(() => {
      started = true;
    }, sleep);
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toBe(true);
    await a.release();
    await run;
    t = 1;
    expect(store.lease?.spec?.holderIdentity).toBe("");
    expect(await b.tryAcquireOrRenew()).toBe(true);
  });

  it("a leader that cannot renew within renewDeadline steps down", async () => {
    const store = new MemLeaseStore();
    let t = 0;
    const a = new LeaderElector(store, "op", "ns", "a", timing, () => t);
    const sleep = async () => {
      t += 2000;
      store.update = async () => {
        throw new Error("apiserver down");
      };
    };
    const res = await a.run(() => {}, sleep);
    expect(res).toBe("lost");
    expect(a.isLeader()).toBe(false);
  });

  it("microTime has six fractional digits", () => {
    expect(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe("2026-01-02T03:04:05.678000Z");
  });
});
