// Small measurement helpers shared by the benchmark's processes.
import { readFileSync } from "node:fs";

/**
 * Linux PSI: cumulative microseconds during which at least one runnable task waited
 * for a CPU. Its rate over a window is the box's CPU contention (NaN where unavailable).
 */
export function readCpuPressureUs(): number {
  try {
    const m = /^some .*total=(\d+)/m.exec(readFileSync("/proc/pressure/cpu", "utf8"));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** A bounded sample buffer: keeps the first `capacity` values (enough for every phase here). */
export class Samples {
  readonly #buf: Float64Array;
  #n = 0;
  dropped = 0;

  constructor(capacity: number) {
    this.#buf = new Float64Array(capacity);
  }

  add(v: number): void {
    if (this.#n < this.#buf.length) this.#buf[this.#n++] = v;
    else this.dropped++;
  }

  get count(): number {
    return this.#n;
  }

  summary(): LatencySummary {
    const a = this.#buf.slice(0, this.#n).sort();
    const q = (p: number) =>
      a.length === 0 ? Number.NaN : (a[Math.min(a.length - 1, Math.floor(p * a.length))] ?? 0);
    return {
      count: a.length,
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
      max: a.length ? (a[a.length - 1] ?? 0) : Number.NaN,
    };
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** CPU used by this process between two calls, as a share of one core. */
export function cpuMeter(): () => number {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const c = process.cpuUsage(c0);
    const ms = performance.now() - t0;
    return ms > 0 ? (c.user + c.system) / 1000 / ms : 0;
  };
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "n/a";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs fn over items with at most `limit` at once. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
  return out;
}
