// The event bus the relay publishes to and the consumers read from. Two
// implementations share this interface: Kafka (kafka-bus.ts) and an in-process bus
// for a monolith run without Kafka. Both keep one key's (room's) records in order.
import type { Logger } from "../log.js";

export interface BusRecord {
  /** Partition key: the room id. */
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface DeliveredRecord extends BusRecord {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Handles consecutive records of one partition, in order. Must resolve only when all are
 * fully handled; a rejection means "deliver them again". keepAlive (Kafka: a group
 * heartbeat) lets a handler that waits out an outage keep its partitions.
 */
export type RecordHandler = (records: DeliveredRecord[], keepAlive?: () => Promise<void>) => Promise<void>;

export interface Subscription {
  readonly group: string;
  stop(): Promise<void>;
}

export interface DeadLetterInfo {
  group: string;
  error: string;
  attempts: number;
}

export interface EventBus {
  readonly kind: "kafka" | "in-process";
  /** The events topic. */
  readonly topic: string;
  /** The dead-letter topic: `<topic>.dlq`. */
  readonly dlqTopic: string;
  /** Connects and creates the topics (with their partition counts) if missing. */
  start(): Promise<void>;
  /**
   * Publishes in order. Resolves once the bus has durably accepted every record
   * (Kafka: acks from all in-sync replicas; in-process: every subscriber handled it).
   */
  publish(records: readonly BusRecord[]): Promise<void>;
  subscribe(group: string, handler: RecordHandler): Promise<Subscription>;
  /** Sends a record that cannot be processed to `<topic>.dlq`, with the error. */
  deadLetter(record: DeliveredRecord, info: DeadLetterInfo): Promise<void>;
  /** Consumer lag (records not yet handled) per group of this process's subscriptions. */
  lag(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export const dlqHeaders = (record: DeliveredRecord, info: DeadLetterInfo): Record<string, string> => ({
  ...(record.headers ?? {}),
  "x-dlq-group": info.group,
  "x-dlq-error": info.error.slice(0, 1000),
  "x-dlq-attempts": String(info.attempts),
  "x-dlq-topic": record.topic,
  "x-dlq-partition": String(record.partition),
  "x-dlq-offset": record.offset,
  "x-dlq-at": new Date().toISOString(),
});

interface InProcessGroup {
  group: string;
  handler: RecordHandler;
  handled: number;
  stopped: boolean;
}

/**
 * The bus for a monolith without Kafka. publish() hands each record to every
 * subscribed group in order and resolves after all of them handled it, so the relay
 * marks outbox rows published only once their effects are stored: a crash loses
 * nothing (the rows are simply relayed again, and consumers are idempotent).
 * Dead letters are kept in memory (the newest 1,000) and logged.
 */
export class InProcessBus implements EventBus {
  readonly kind = "in-process" as const;
  readonly dlqTopic: string;
  readonly deadLetters: { record: DeliveredRecord; info: DeadLetterInfo }[] = [];
  readonly #groups: InProcessGroup[] = [];
  #offset = 0;
  #published = 0;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    readonly topic: string,
    private readonly log: Logger,
  ) {
    this.dlqTopic = `${topic}.dlq`;
  }

  async start(): Promise<void> {}

  publish(records: readonly BusRecord[]): Promise<void> {
    this.#published += records.length;
    // One chain: records are handed over strictly in publish order.
    const run = this.#chain.then(async () => {
      const delivered: DeliveredRecord[] = records.map((r) => ({
        ...r,
        topic: this.topic,
        partition: 0,
        offset: String(this.#offset++),
      }));
      for (const g of this.#groups) {
        if (g.stopped) continue;
        await g.handler(delivered);
        g.handled += delivered.length;
      }
    });
    this.#chain = run.catch(() => {});
    return run;
  }

  async subscribe(group: string, handler: RecordHandler): Promise<Subscription> {
    const g: InProcessGroup = { group, handler, handled: this.#published, stopped: false };
    this.#groups.push(g);
    return {
      group,
      stop: async () => {
        g.stopped = true;
        const i = this.#groups.indexOf(g);
        if (i >= 0) this.#groups.splice(i, 1);
        await this.#chain;
      },
    };
  }

  async deadLetter(record: DeliveredRecord, info: DeadLetterInfo): Promise<void> {
    this.deadLetters.push({ record: { ...record, headers: dlqHeaders(record, info) }, info });
    if (this.deadLetters.length > 1000) this.deadLetters.shift();
    this.log.error({ group: info.group, error: info.error, key: record.key }, "event dead-lettered");
  }

  async lag(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const g of this.#groups) out[g.group] = Math.max(0, this.#published - g.handled);
    return out;
  }

  async stop(): Promise<void> {
    await this.#chain;
  }
}
