// A work queue with client-go semantics: a key is queued at most once (dedupe), a key being processed is
// never handed to a second worker (it is re-queued when done() is called if it was added meanwhile),
// delayed adds, and rate-limited retries (per-key exponential backoff, combined with an overall token bucket).

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface RateLimiterOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** overall tokens per second and burst (client-go: 10 qps, burst 100) */
  qps?: number;
  burst?: number;
}

/** client-go's DefaultControllerRateLimiter: max(per-item exponential, overall token bucket). */
export class RateLimiter {
  private failures = new Map<string, number>();
  private tokens: number;
  private last: number;
  private readonly base: number;
  private readonly max: number;
  private readonly qps: number;
  private readonly burst: number;

  constructor(
    o: RateLimiterOptions = {},
    private readonly clock: Clock = realClock,
  ) {
    this.base = o.baseDelayMs ?? 500;
    this.max = o.maxDelayMs ?? 300_000;
    this.qps = o.qps ?? 10;
    this.burst = o.burst ?? 100;
    this.tokens = this.burst;
    this.last = clock.now();
  }

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const exp = Math.min(this.max, this.base * 2 ** n);
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    const bucket = this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
    return Math.max(exp, bucket);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

export class WorkQueue {
  private queue: string[] = [];
  private dirty = new Set<string>();
  private processing = new Set<string>();
  private waiting = new Map<string, { at: number; handle: unknown }>();
  private waiters: ((k: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(
    readonly limiter: RateLimiter = new RateLimiter(),
    private readonly clock: Clock = realClock,
    private readonly onDepth: (depth: number) => void = () => {},
  ) {}

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  private push(key: string): void {
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(key);
      this.processing.add(key);
      w(key);
    } else {
      this.queue.push(key);
    }
    this.onDepth(this.queue.length);
  }

  /** Adds the key after ms; a sooner pending add wins over a later one. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const cur = this.waiting.get(key);
    if (cur && cur.at <= at) return;
    if (cur) this.clock.clearTimeout(cur.handle);
    const handle = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, handle });
  }

  addRateLimited(key: string): void {
    this.addAfter(key, this.limiter.when(key));
  }

  forget(key: string): void {
    this.limiter.forget(key);
  }

  /** Resolves with the next key, or undefined once shut down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      this.onDepth(this.queue.length);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  len(): number {
    return this.queue.length;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) this.clock.clearTimeout(w.handle);
    this.waiting.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}

/** Runs n workers; each takes a key, runs handle, and marks it done. Resolves when the queue shuts down. */
export async function runWorkers(
  q: WorkQueue,
  n: number,
  handle: (key: string) => Promise<void>,
): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await q.get();
      if (key === undefined) return;
      try {
        await handle(key);
      } finally {
        q.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}
