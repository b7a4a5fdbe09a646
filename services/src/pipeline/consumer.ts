// Runs one consumer group on the bus: parses and validates each event, hands it to
// the consumer, retries transient failures (a database or Redis down) until they
// pass, and sends events that fail for good — bad JSON or schema at once, any other
// error after maxAttempts — to `<topic>.dlq` with the error, then moves on.
//
// Exactly one effect per event: consumers store their effects in the same database
// transaction as a processed_events row keyed by (consumer, event id) — see once().

import { type Envelope, PoisonEventError, parseEvent } from "../contracts/events.js";
import type { Pool, PoolConnection } from "../db/pool.js";
import { withTransaction } from "../db/pool.js";
import type { Logger } from "../log.js";
import { isTransient } from "../transient.js";
import type { DeliveredRecord, EventBus, Subscription } from "./bus.js";
import type { PipelineMetrics } from "./metrics.js";

export type Outcome = "processed" | "duplicate" | "ignored";

export interface EventConsumer {
  /** Short and stable: the processed_events key and the group name suffix. */
  readonly name: string;
  handle(event: Envelope): Promise<Outcome>;
  /**
   * Optional fast path: handles consecutive events (one partition, in order) in as few
   * transactions as possible. If it throws, the runner falls back to handle() one event
   * at a time (whatever the batch did commit is skipped then as already processed).
   */
  handleBatch?(events: Envelope[]): Promise<Outcome[]>;
}

// Retries of a transient failure logged at debug before they are worth a warning (~3 s of backoff).
const TRANSIENT_QUIET_ATTEMPTS = 5;

export interface RunnerOptions {
  group: string;
  maxAttempts: number;
  backoffMs: number;
}

/** Records (consumer, eventId) in the caller's transaction; false if it was already processed. */
export async function claim(conn: PoolConnection, consumer: string, eventId: string): Promise<boolean> {
  const [res] = await conn.query("INSERT IGNORE INTO processed_events (consumer, event_id) VALUES (?, ?)", [
    consumer,
    eventId,
  ]);
  return (res as { affectedRows: number }).affectedRows > 0;
}

/**
 * Runs fn in a transaction together with the processed_events row of (consumer,
 * eventId). A replayed event finds the row and has no effect (returns null).
 */
export async function once<T>(
  pool: Pool,
  consumer: string,
  eventId: string,
  fn: (conn: PoolConnection) => Promise<T>,
): Promise<{ value: T } | null> {
  return withTransaction(pool, async (conn) =>
    (await claim(conn, consumer, eventId)) ? { value: await fn(conn) } : null,
  );
}

export class ConsumerRunner {
  #sub: Subscription | null = null;
  #stopping = false;

  constructor(
    private readonly bus: EventBus,
    readonly consumer: EventConsumer,
    private readonly opts: RunnerOptions,
    private readonly metrics: PipelineMetrics,
    private readonly log: Logger,
  ) {}

  get group(): string {
    return this.opts.group;
  }

  async start(): Promise<void> {
    this.#stopping = false;
    this.#sub = await this.bus.subscribe(this.opts.group, (rs, keepAlive) =>
      this.deliverBatch(rs, keepAlive),
    );
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#sub?.stop();
    this.#sub = null;
  }

  /** Handles consecutive records: the consumer's batch path first, one by one if that fails. */
  async deliverBatch(records: DeliveredRecord[], keepAlive?: () => Promise<void>): Promise<void> {
    const group = this.opts.group;
    if (records.length > 1 && this.consumer.handleBatch) {
      const parsed: Envelope[] = [];
      for (const r of records) {
        try {
          parsed.push(parseEvent(r.value));
        } catch {
          break;
        }
      }
      // Only an all-valid batch takes the fast path (poison is handled one by one below).
      if (parsed.length === records.length && !this.#stopping) {
        const end = this.metrics.consumerDuration.startTimer({ group });
        try {
          const outcomes = await this.consumer.handleBatch(parsed);
          for (const outcome of outcomes) this.metrics.consumerEvents.inc({ group, outcome });
          end();
          return;
        } catch (err) {
          this.metrics.consumerEvents.inc({ group, outcome: "batch_failed" });
          this.log.warn({ err, group, size: records.length }, "batch failed; handling its events one by one");
        }
      }
    }
    for (const r of records) await this.deliver(r, keepAlive);
  }

  /** Handles one record; resolves when it is done (processed, skipped or dead-lettered). */
  async deliver(r: DeliveredRecord, keepAlive?: () => Promise<void>): Promise<void> {
    const group = this.opts.group;
    const end = this.metrics.consumerDuration.startTimer({ group });
    let event: Envelope;
    try {
      event = parseEvent(r.value);
    } catch (err) {
      await this.#deadLetter(r, err, 1);
      end();
      return;
    }
    for (let attempt = 1; ; attempt++) {
      if (this.#stopping) throw new Error("consumer stopping; the event will be delivered again");
      try {
        const outcome = await this.consumer.handle(event);
        this.metrics.consumerEvents.inc({ group, outcome });
        end();
        return;
      } catch (err) {
        const transient = isTransient(err);
        if (err instanceof PoisonEventError || (!transient && attempt >= this.opts.maxAttempts)) {
          await this.#deadLetter(r, err, attempt);
          end();
          return;
        }
        this.metrics.consumerEvents.inc({ group, outcome: "retried" });
        const wait = Math.min(this.opts.backoffMs * 2 ** Math.min(attempt - 1, 6), 5000);
        // A transient failure retried a few times (a deadlock victim, a restarting database)
        // is routine and counted above; it becomes a warning only when it keeps failing.
        const level = transient && attempt < TRANSIENT_QUIET_ATTEMPTS ? "debug" : "warn";
        this.log[level](
          { err, group, eventId: event.id, attempt, transient, retryInMs: wait },
          "event failed",
        );
        await new Promise((res) => setTimeout(res, wait));
        await keepAlive?.();
      }
    }
  }

  async #deadLetter(r: DeliveredRecord, err: unknown, attempts: number): Promise<void> {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    // Publishing to the DLQ is itself retried: if it fails the event is not skipped.
    await this.bus.deadLetter(r, { group: this.opts.group, error, attempts });
    this.metrics.consumerEvents.inc({ group: this.opts.group, outcome: "dead_lettered" });
  }
}
