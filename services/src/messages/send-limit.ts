// Send limits shared by REST and sockets (issue 14, defect 4): per user across the
// cluster (Redis, so several gateways and sockets add up) and per socket on the node
// that holds it (memory: a socket lives on one node). A refused send was never
// accepted: it is a 429 CHAT_RATE_LIMITED with a retry hint (Retry-After / the ack's
// retryAfterSeconds), and a retry by clientMsgId later is an ordinary send.
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../errors.js";
import type { Metrics } from "../metrics.js";

const WINDOW_SECONDS = 10;

export interface SendLimits {
  perUserPer10s: number;
  perSocketPer10s: number;
}

export class SendLimiter {
  readonly #user: RateLimiterRedis;
  readonly #socket: RateLimiterMemory;

  constructor(
    redis: Redis,
    prefix: string,
    limits: SendLimits,
    private readonly metrics: Metrics,
  ) {
    this.#user = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}rl:send_user`,
      points: limits.perUserPer10s,
      duration: WINDOW_SECONDS,
      // Redis down: each node limits on its own rather than refusing every send.
      insuranceLimiter: new RateLimiterMemory({ points: limits.perUserPer10s, duration: WINDOW_SECONDS }),
      // … at once, not after ioredis' reconnect attempts (seconds of a hanging send).
      rejectIfRedisNotReady: true,
    });
    this.#socket = new RateLimiterMemory({ points: limits.perSocketPer10s, duration: WINDOW_SECONDS });
  }

  /** Spends one send of the user's (and the socket's) budget; throws 429 when it is used up. */
  async take(userId: number, socketId?: string): Promise<void> {
    if (socketId !== undefined) await this.#consume(this.#socket, socketId, "send_socket");
    await this.#consume(this.#user, String(userId), "send_user");
  }

  async #consume(l: RateLimiterRedis | RateLimiterMemory, key: string, name: string): Promise<void> {
    try {
      await l.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      this.metrics.rateLimited.inc({ limit: name });
      const retryAfterSeconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new AppError("CHAT_RATE_LIMITED", `too many messages; retry in ${retryAfterSeconds}s`, {
        retryAfterSeconds,
      });
    }
  }
}
