import { describe, expect, it } from "vitest";
import { type Clock, RateLimiter, runWorkers, WorkQueue } from "./queue.js";

class FakeClock implements Clock {
  t = 0;
  timers: { at: number; fn: () => void; id: number }[] = [];
  private id = 0;
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = ++this.id;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown) {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  advance(ms: number) {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const d of due) d.fn();
  }
}

describe("WorkQueue", () => {
  it("dedupes a key added twice while queued", async () => {
    const q = new WorkQueue();
    q.add("a");
    q.add("a");
    q.add("b");
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
  });

  it("never hands a key being processed to a second worker; re-queues it on done", async () => {
    const q = new WorkQueue();
    q.add("a");
    const k = await q.get();
    expect(k).toBe("a");
    q.add("a");
    expect(q.len()).toBe(0);
    expect(q.isProcessing("a")).toBe(true);
    q.done("a");
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe("a");
  });

  it("wakes a waiting worker", async () => {
    const q = new WorkQueue();
    const p = q.get();
    q.add("x");
    expect(await p).toBe("x");
  });

  it("addAfter fires later and the sooner of two delays wins", () => {
    const clock = new FakeClock();
    const q = new WorkQueue(new RateLimiter({}, clock), clock);
    q.addAfter("a", 1000);
    q.addAfter("a", 200);
    q.addAfter("a", 5000);
    clock.advance(199);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    clock.advance(10_000);
    expect(q.len()).toBe(1);
  });

  it("shutdown releases waiting workers", async () => {
    const q = new WorkQueue();
    const p = q.get();
    q.shutdown();
    expect(await p).toBeUndefined();
  });

  it("runWorkers processes distinct keys concurrently but one key at a time", async () => {
    const q = new WorkQueue();
    const active = new Set<string>();
    let overlap = false;
    const seen: string[] = [];
    let resolveAll: () => void = () => {};
    const all = new Promise<void>((r) => {
      resolveAll = r;
    });
    const run = runWorkers(q, 3, async (k) => {
      if (active.has(k)) overlap = true;
      active.add(k);
      await new Promise((r) => setTimeout(r, 5));
      active.delete(k);
      seen.push(k);
      if (seen.length === 4) resolveAll();
    });
    q.add("a");
    q.add("b");
    await new Promise((r) => setTimeout(r, 1));
    q.add("a"); // while a is processing: re-run once after
    q.add("c");
    await all;
    q.shutdown();
    await run;
    expect(overlap).toBe(false);
    expect(seen.sort()).toEqual(["a", "a", "b", "c"]);
  });
});

describe("RateLimiter", () => {
  it("backs off exponentially per key and forgets", () => {
    const clock = new FakeClock();
    const r = new RateLimiter({ baseDelayMs: 100, maxDelayMs: 1000 }, clock);
    expect([r.when("a"), r.when("a"), r.when("a"), r.when("a"), r.when("a")]).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(r.when("b")).toBe(100);
    expect(r.numRequeues("a")).toBe(5);
    r.forget("a");
    expect(r.when("a")).toBe(100);
  });

  it("the overall bucket delays a burst beyond its size", () => {
    const clock = new FakeClock();
    const r = new RateLimiter({ baseDelayMs: 1, qps: 10, burst: 2 }, clock);
    r.when("a");
    r.when("b");
    expect(r.when("c")).toBeCloseTo(100);
  });

  it("addRateLimited requeues after the backoff", () => {
    const clock = new FakeClock();
    const q = new WorkQueue(new RateLimiter({ baseDelayMs: 50 }, clock), clock);
    q.addRateLimited("k");
    clock.advance(49);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
  });
});
