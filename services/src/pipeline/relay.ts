// The outbox relay of one shard. Outbox rows are written in the same shard
// transaction as the change they describe; this loop publishes the unpublished ones
// in id order and marks them published.
//
// Per-room order: every transaction that writes a room's outbox row holds that room's
// row lock (router.write / the send batch's FOR UPDATE), so one room's outbox ids are
// allocated and committed in the same order. Reading `published_at IS NULL ORDER BY id`
// can skip a row of *another* room that is still uncommitted, never reorder one room.
//
// Several relay instances: only the holder of the shard's lease (a row in
// outbox_relay_lease on that shard, expiry on the shard's clock) publishes. Marking
// rows published re-checks the lease token under the lease row lock, so an instance
// that lost its lease mid-round can never mark rows; the worst case — a stalled
// ex-holder whose publish lands after the new holder's — is a duplicate of an event
// the consumers have already seen, which they skip by event id (never a reorder of
// effects).

import { EVENT_VERSION, eventId } from "../contracts/events.js";
import type { Pool, RowDataPacket } from "../db/pool.js";
import { withTransaction } from "../db/pool.js";
import type { Logger } from "../log.js";
import { isLockConflict } from "../transient.js";
import type { BusRecord, EventBus } from "./bus.js";
import type { PipelineMetrics } from "./metrics.js";

export interface RelayOptions {
  /** This instance's identity in the lease (unique per process). */
  owner: string;
  leaseMs: number;
  pollMs: number;
  batch: number;
  /** Published rows are deleted after this many hours; 0 keeps them. */
  retentionHours: number;
}

export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
}

export function toRecord(shardId: number, r: RowDataPacket): BusRecord {
  const outboxId = Number(r.id);
  // Rows copied by a room move keep the id they were given on their first shard.
  const id = r.event_id ? String(r.event_id) : eventId(shardId, outboxId);
  let data: unknown;
  try {
    data = JSON.parse(String(r.payload));
  } catch {
    // Relayed as is: the consumers dead-letter it instead of the relay stalling on it.
    data = String(r.payload);
  }
  const createdAt = r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at));
  const envelope = {
    v: EVENT_VERSION,
    id,
    type: String(r.event_type),
    roomId: Number(r.room_id),
    shard: shardId,
    outboxId,
    occurredAt: createdAt.toISOString(),
    data,
  };
  return {
    key: String(r.room_id),
    value: JSON.stringify(envelope),
    headers: { "event-id": id, "event-type": envelope.type, "event-version": String(EVENT_VERSION) },
  };
}

export class OutboxRelay {
  #token = 0;
  /** Local time until which the lease is surely ours (the shard's clock decides expiry). */
  #leaseUntil = 0;
  #nextLeaseTry = 0;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #lastBacklog = 0;
  #lastCleanup = 0;
  #marking: { ids: number[]; done: Promise<void> } | null = null;
  readonly #shard: string;

  constructor(
    readonly shardId: number,
    private readonly pool: Pool,
    private readonly bus: EventBus,
    private readonly opts: RelayOptions,
    private readonly metrics: PipelineMetrics,
    private readonly log: Logger,
  ) {
    this.#shard = String(shardId);
  }

  get holdsLease(): boolean {
    return this.#token > 0 && Date.now() < this.#leaseUntil;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Wakes the loop now (e.g. after a local send) instead of at the next poll. */
  nudge(): void {
    this.#wake?.();
  }

  /**
   * Stops after the current round. A round stuck in a publish (Kafka down) is not
   * waited for beyond stopWaitMs, and then the lease is left to expire instead of being
   * released, so no other relay starts while that publish might still land.
   */
  async stop(stopWaitMs = 3000): Promise<void> {
    this.#running = false;
    this.#wake?.();
    const loop = this.#loop;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      loop?.then(() => true) ?? Promise.resolve(true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), stopWaitMs);
      }),
    ]);
    clearTimeout(timer);
    this.#loop = null;
    if (!finished) {
      this.log.warn({ shard: this.shardId }, "outbox relay stopped mid-publish; its lease will expire");
      return;
    }
    await this.#settleMark().catch(() => {});
    await this.#release().catch(() => {});
  }

  async #run(): Promise<void> {
    let backoff = 0;
    while (this.#running) {
      let n = 0;
      try {
        n = await this.tick();
        backoff = 0;
      } catch (err) {
        this.metrics.outboxRelayErrors.inc({ shard: this.#shard });
        backoff = Math.min(Math.max(backoff * 2, 200), 5000);
        this.log.warn({ err, shard: this.shardId, retryInMs: backoff }, "outbox relay round failed");
        if (err instanceof LeaseLostError) this.#dropLease();
      }
      await this.#housekeeping().catch((err: unknown) =>
        this.log.warn({ err, shard: this.shardId }, "outbox housekeeping failed"),
      );
      if (!this.#running) break;
      if (n >= this.opts.batch) continue;
      await this.#sleep(backoff || this.opts.pollMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#wake = done;
    });
  }

  #dropLease(): void {
    this.#token = 0;
    this.#leaseUntil = 0;
    this.metrics.outboxLeaseHeld.set({ shard: this.#shard }, 0);
  }

  /** Takes or renews the lease. Returns whether this instance holds it. */
  async ensureLease(): Promise<boolean> {
    const now = Date.now();
    const remaining = this.#leaseUntil - now;
    if (this.#token > 0 && remaining > (this.opts.leaseMs * 2) / 3) return true;
    if (this.#token === 0 && now < this.#nextLeaseTry) return false;
    const started = Date.now();
    const token = await withTransaction(this.pool, async (conn) => {
      // No INSERT IGNORE first: its shared lock, upgraded by FOR UPDATE, deadlocks
      // against a concurrent #markPublished. The migration creates the row.
      const [rows] = await conn.query<RowDataPacket[]>(
        "SELECT owner, token, expires_at < NOW(3) AS expired FROM outbox_relay_lease WHERE id = 1 FOR UPDATE",
      );
      const r = rows[0];
      if (!r) {
        await conn.query(
          "INSERT IGNORE INTO outbox_relay_lease (id, owner, token, expires_at) VALUES (1, '', 0, NOW(3))",
        );
        return 0;
      }
      const mine = String(r.owner) === this.opts.owner && Number(r.token) === this.#token && this.#token > 0;
      if (!mine && !Number(r.expired)) return 0;
      const next = mine ? this.#token : Number(r.token) + 1;
      await conn.query(
        "UPDATE outbox_relay_lease SET owner = ?, token = ?, expires_at = NOW(3) + INTERVAL ? MICROSECOND WHERE id = 1",
        [this.opts.owner, next, this.opts.leaseMs * 1000],
      );
      return next;
    });
    if (token === 0) {
      if (this.#token > 0) this.log.warn({ shard: this.shardId }, "outbox relay lease lost");
      this.#dropLease();
      // Followers re-check a few times per lease period, not every poll.
      this.#nextLeaseTry = Date.now() + Math.max(this.opts.pollMs, this.opts.leaseMs / 4);
      return false;
    }
    if (token !== this.#token) this.log.info({ shard: this.shardId, token }, "outbox relay lease acquired");
    this.#token = token;
    this.#leaseUntil = started + this.opts.leaseMs;
    this.metrics.outboxLeaseHeld.set({ shard: this.#shard }, 1);
    return true;
  }

  /**
   * One round: publishes up to `batch` rows in id order. Returns how many.
   *
   * Marking a batch published overlaps with reading and publishing the next one (at most
   * one mark in flight). The next read excludes the in-flight ids rather than reading
   * "after the last id": a lower row of another room that committed late must still be
   * picked up, and nothing of its room can have been published past it (its room's later
   * rows commit after it).
   */
  async tick(): Promise<number> {
    if (!(await this.ensureLease())) {
      await this.#settleMark();
      return 0;
    }
    const inflight = this.#marking?.ids ?? [];
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, room_id, event_type, payload, created_at, event_id FROM outbox
        WHERE published_at IS NULL ${inflight.length > 0 ? "AND id NOT IN (?)" : ""} ORDER BY id LIMIT ?`,
      inflight.length > 0 ? [inflight, this.opts.batch] : [this.opts.batch],
    );
    if (rows.length === 0) {
      await this.#settleMark();
      return 0;
    }
    if (!this.holdsLease) throw new LeaseLostError("lease expired before publishing");
    await this.bus.publish(rows.map((r) => toRecord(this.shardId, r)));
    this.metrics.outboxRelayed.inc({ shard: this.#shard }, rows.length);
    await this.#settleMark();
    const ids = rows.map((r) => Number(r.id));
    const done = this.#markPublished(ids);
    done.catch(() => {}); // surfaced by the next #settleMark
    this.#marking = { ids, done };
    return rows.length;
  }

  /** Waits for the in-flight mark; rethrows its failure (e.g. the lease was lost). */
  async #settleMark(): Promise<void> {
    const m = this.#marking;
    if (!m) return;
    try {
      await m.done;
    } finally {
      if (this.#marking === m) this.#marking = null;
    }
  }

  async #markPublished(ids: number[]): Promise<void> {
    // A deadlock victim is retried: giving up would only republish the batch.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#markOnce(ids);
        return;
      } catch (err) {
        if (attempt >= 5 || !isLockConflict(err)) throw err;
      }
    }
  }

  async #markOnce(ids: number[]): Promise<void> {
    await withTransaction(this.pool, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        "SELECT owner, token FROM outbox_relay_lease WHERE id = 1 FOR UPDATE",
      );
      const r = rows[0];
      if (!r || String(r.owner) !== this.opts.owner || Number(r.token) !== this.#token) {
        throw new LeaseLostError("another relay took the lease");
      }
      await conn.query("UPDATE outbox SET published_at = NOW(3) WHERE id IN (?)", [ids]);
    });
  }

  async #release(): Promise<void> {
    if (this.#token === 0) return;
    await this.pool.query(
      "UPDATE outbox_relay_lease SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE id = 1 AND owner = ? AND token = ?",
      [this.opts.owner, this.#token],
    );
    this.#dropLease();
  }

  async #housekeeping(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastBacklog >= 1000) {
      this.#lastBacklog = now;
      await this.refreshBacklog();
    }
    if (this.opts.retentionHours > 0 && this.holdsLease && now - this.#lastCleanup >= 60_000) {
      this.#lastCleanup = now;
      await this.pool.query(
        `DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < NOW(3) - INTERVAL ? HOUR
          ORDER BY published_at, id LIMIT 10000`,
        [this.opts.retentionHours],
      );
    }
  }

  /** Updates chat_outbox_backlog for this shard and returns it. */
  async refreshBacklog(): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n, COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(created_at), NOW(3)), 0) AS age_us
         FROM outbox WHERE published_at IS NULL`,
    );
    const n = Number(rows[0]?.n ?? 0);
    this.metrics.outboxBacklog.set({ shard: this.#shard }, n);
    this.metrics.outboxOldestAge.set({ shard: this.#shard }, Math.max(0, Number(rows[0]?.age_us ?? 0) / 1e6));
    return n;
  }
}
