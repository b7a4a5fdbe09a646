// Webhook push: each notification of a user with a webhook becomes a row in
// webhook_deliveries (written with the notification). This loop claims due rows
// (FOR UPDATE SKIP LOCKED, so several workers share the work), POSTs them signed
// with HMAC-SHA256, and retries failures with exponential backoff (±20% jitter);
// after maxAttempts a delivery is dead-lettered (state 'dead', listed by the API).
//
// Signature: X-Chat-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
// with X-Chat-Timestamp: <unix seconds>; receivers recompute it and reject old timestamps.
import { createHmac } from "node:crypto";
import type { Pool, RowDataPacket } from "../db/pool.js";
import { withTransaction } from "../db/pool.js";
import type { Logger } from "../log.js";
import type { PipelineMetrics } from "../pipeline/metrics.js";

export interface WebhookOptions {
  maxAttempts: number;
  backoffMs: number;
  timeoutMs: number;
  pollMs: number;
  /** How long a claimed delivery stays with one worker before others may retry it. */
  claimMs?: number;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Delay before attempt n+1 after n failed attempts. */
export function backoffDelay(baseMs: number, attempts: number, random = Math.random): number {
  const exp = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(exp * (0.8 + 0.4 * random()));
}

export class WebhookDispatcher {
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;

  constructor(
    private readonly catalog: Pool,
    private readonly opts: WebhookOptions,
    private readonly metrics: PipelineMetrics,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        let n = 0;
        try {
          n = await this.tick();
        } catch (err) {
          this.log.warn({ err }, "webhook round failed");
        }
        if (!this.#running) break;
        if (n > 0) continue;
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, this.opts.pollMs);
          function done() {
            clearTimeout(t);
            resolve();
          }
          this.#wake = done;
        });
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** Claims and attempts the due deliveries; returns how many were attempted. */
  async tick(): Promise<number> {
    const claimMs = this.opts.claimMs ?? this.opts.timeoutMs * 2 + 5000;
    const claimed = await withTransaction(this.catalog, async (conn) => {
      // No join in the locking read: MariaDB has SKIP LOCKED but not FOR UPDATE OF.
      const [rows] = await conn.query<RowDataPacket[]>(
        `SELECT id, user_id, payload, attempts FROM webhook_deliveries
          WHERE state IN ('pending', 'sending') AND next_attempt_at <= CURRENT_TIMESTAMP(3)
          ORDER BY next_attempt_at, id LIMIT 20
          FOR UPDATE SKIP LOCKED`,
      );
      if (rows.length === 0) return rows;
      await conn.query(
        `UPDATE webhook_deliveries SET state = 'sending',
           next_attempt_at = CURRENT_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE id IN (?)`,
        [claimMs * 1000, rows.map((r) => Number(r.id))],
      );
      const [hooks] = await conn.query<RowDataPacket[]>(
        "SELECT user_id, url, secret FROM notification_webhooks WHERE user_id IN (?)",
        [[...new Set(rows.map((r) => Number(r.user_id)))]],
      );
      const byUser = new Map(hooks.map((h) => [Number(h.user_id), h]));
      for (const r of rows) {
        const h = byUser.get(Number(r.user_id));
        r.url = h ? h.url : null;
        r.secret = h ? h.secret : null;
      }
      return rows;
    });
    await Promise.all(claimed.map((r) => this.#attempt(r)));
    return claimed.length;
  }

  async #attempt(r: RowDataPacket): Promise<void> {
    const id = Number(r.id);
    const attempts = Number(r.attempts) + 1;
    if (r.url === null) {
      await this.#finish(id, "dead", attempts, null, "the webhook was removed");
      return;
    }
    const body = String(r.payload);
    const ts = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(String(r.url), {
        method: "POST",
        redirect: "manual",
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        headers: {
          "content-type": "application/json",
          "user-agent": "ChatCluster-Webhook/1",
          "x-chat-delivery": String(id),
          "x-chat-timestamp": String(ts),
          "x-chat-signature": sign(String(r.secret), ts, body),
        },
        body,
      });
      status = res.status;
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) {
        await this.#finish(id, "delivered", attempts, status, null);
        return;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    if (attempts >= this.opts.maxAttempts) {
      await this.#finish(id, "dead", attempts, status, error);
      this.log.warn({ delivery: id, attempts, error }, "webhook delivery dead-lettered");
      return;
    }
    this.metrics.webhookDeliveries.inc({ outcome: "retry" });
    await this.catalog.query(
      `UPDATE webhook_deliveries SET state = 'pending', attempts = ?, last_status = ?, last_error = ?,
         next_attempt_at = CURRENT_TIMESTAMP(3) + INTERVAL ? MICROSECOND, updated_at = CURRENT_TIMESTAMP(3)
       WHERE id = ?`,
      [
        attempts,
        status,
        error?.slice(0, 500) ?? null,
        backoffDelay(this.opts.backoffMs, attempts) * 1000,
        id,
      ],
    );
  }

  async #finish(
    id: number,
    state: "delivered" | "dead",
    attempts: number,
    status: number | null,
    error: string | null,
  ): Promise<void> {
    this.metrics.webhookDeliveries.inc({ outcome: state });
    await this.catalog.query(
      `UPDATE webhook_deliveries SET state = ?, attempts = ?, last_status = ?, last_error = ?,
         updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?`,
      [state, attempts, status, error?.slice(0, 500) ?? null, id],
    );
  }
}
