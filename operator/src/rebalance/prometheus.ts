// The rebalancer's view of Prometheus: one instant query for the per-shard write rate of the platform
// (the `shard` label of chat_messages_sent_total is the shard id). Failures come back as PrometheusError with
// a message fit for a condition, never as a crash.

export type Fetch = typeof fetch;

export class PrometheusError extends Error {
  override readonly name = "PrometheusError";
}

/** `sum by (shard) (rate(chat_messages_sent_total{<selector>}[<window>]))`. */
export function shardRateQuery(selector: string, window: string): string {
  const matchers = selector.trim();
  return `sum by (shard) (rate(chat_messages_sent_total${matchers ? `{${matchers}}` : ""}[${window}]))`;
}

interface VectorResponse {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: { metric?: Record<string, string>; value?: [number, string] }[] };
}

/** Messages per second by shard id; shards without series are absent (the caller reads them as 0). */
export function parseShardRates(body: VectorResponse): Map<number, number> {
  if (body.status !== "success" || body.data?.resultType !== "vector") {
    throw new PrometheusError(`unexpected answer: ${body.error ?? body.status ?? "no status"}`);
  }
  const rates = new Map<number, number>();
  for (const r of body.data.result ?? []) {
    const shard = Number(r.metric?.shard);
    const value = Number(r.value?.[1]);
    if (!Number.isInteger(shard) || shard < 0 || !Number.isFinite(value)) continue;
    rates.set(shard, (rates.get(shard) ?? 0) + Math.max(value, 0));
  }
  return rates;
}

export class PrometheusClient {
  constructor(
    private readonly baseUrl: string,
    private readonly http: Fetch = fetch,
    private readonly timeoutMs = 5_000,
  ) {}

  async shardWriteRates(selector: string, window: string): Promise<Map<number, number>> {
    const url = `${this.baseUrl.replace(/\/+$/, "")}/api/v1/query?query=${encodeURIComponent(shardRateQuery(selector, window))}`;
    let res: Response;
    try {
      res = await this.http(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new PrometheusError(`cannot reach Prometheus at ${this.baseUrl}: ${describe(e)}`);
    }
    let body: VectorResponse;
    try {
      body = (await res.json()) as VectorResponse;
    } catch {
      throw new PrometheusError(`Prometheus at ${this.baseUrl} answered HTTP ${res.status} without JSON`);
    }
    if (!res.ok) {
      throw new PrometheusError(
        `Prometheus at ${this.baseUrl} answered HTTP ${res.status}: ${body.error ?? ""}`,
      );
    }
    return parseShardRates(body);
  }
}

/** fetch() hides the useful part (ECONNREFUSED, ENOTFOUND, timeout) in `cause`. */
export function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    if (e.name === "TimeoutError") return "timed out";
    if (cause instanceof Error) return (cause as { code?: string }).code ?? cause.message;
    return e.message;
  }
  return String(e);
}
