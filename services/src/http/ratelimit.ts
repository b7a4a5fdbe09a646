// Rate limits on Redis, shared by every gateway instance. If Redis is unreachable an
// in-memory limiter takes over per instance (insurance), so a Redis outage degrades
// limits rather than failing logins.
import type { NextFunction, Request, Response } from "express";
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../errors.js";
import type { Metrics } from "../metrics.js";

export interface Limiter {
  name: string;
  limiter: RateLimiterRedis;
}

export function makeLimiter(
  redis: Redis,
  prefix: string,
  name: string,
  points: number,
  durationSeconds: number,
): Limiter {
  return {
    name,
    limiter: new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}rl:${name}`,
      points,
      duration: durationSeconds,
      insuranceLimiter: new RateLimiterMemory({ points, duration: durationSeconds }),
      // Redis down: straight to the in-memory limiter, not after ioredis' reconnect attempts (seconds).
      rejectIfRedisNotReady: true,
    }),
  };
}

/** Consumes one point for key; throws CHAT_RATE_LIMITED with Retry-After when exhausted. */
export async function consume(l: Limiter, key: string, metrics: Metrics): Promise<void> {
  try {
    await l.limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) {
      metrics.rateLimited.inc({ limit: l.name });
      const retryAfterSeconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new AppError("CHAT_RATE_LIMITED", `too many attempts; retry in ${retryAfterSeconds}s`, {
        retryAfterSeconds,
      });
    }
    throw err;
  }
}

/** Express middleware limiting by client IP. */
export const perIp =
  (l: Limiter, metrics: Metrics) =>
  async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    await consume(l, req.ip ?? "unknown", metrics);
    next();
  };
