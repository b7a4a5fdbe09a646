// Handled, retryable failures (a database, Redis or Kafka restarting) are not errors an
// operator acts on one by one: a 5-second shard outage produced 1,262 error lines. They
// are counted (chat_transient_failures_total{where}) and said as one warning per
// interval and place, with how many were left unsaid; /readyz names the backend.
import type { Counter } from "prom-client";
import type { Logger } from "./log.js";

const describe = (err: unknown): { message: string; code?: string } => {
  const e = err as { message?: unknown; code?: unknown } | null;
  return {
    message: typeof e?.message === "string" ? e.message : String(err),
    ...(typeof e?.code === "string" ? { code: e.code } : {}),
  };
};

export class TransientReporter {
  readonly #last = new Map<string, number>();
  readonly #unsaid = new Map<string, number>();

  constructor(
    private readonly log: Logger,
    private readonly counter?: Counter<"where">,
    private readonly intervalMs = 10_000,
  ) {}

  report(where: string, err: unknown, context: Record<string, unknown> = {}): void {
    this.counter?.inc({ where });
    const now = Date.now();
    if (now - (this.#last.get(where) ?? 0) < this.intervalMs) {
      this.#unsaid.set(where, (this.#unsaid.get(where) ?? 0) + 1);
      return;
    }
    const unsaid = this.#unsaid.get(where) ?? 0;
    this.#unsaid.set(where, 0);
    this.#last.set(where, now);
    this.log.warn(
      { where, err: describe(err), unsaid, ...context },
      "backend unavailable; answered as retryable",
    );
  }
}
