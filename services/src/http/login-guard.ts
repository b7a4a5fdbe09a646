// Password guessing limits that do not hand out lockouts (docs/services-platform.md,
// "Login limits"). Each attempt first *reserves* its points with one atomic Redis
// increment and gives them back when the password was right, so only failures count
// and concurrent attempts cannot all pass a check made before any of them is counted.
//
//  - account + IP: `perAccountIp` failures per 15 minutes, then 429 for that pair only;
//    guesses from elsewhere never lock the owner out of their own address.
//  - account, from addresses it never signed in from: `perAccountNewIp` failures per
//    15 minutes, after which such attempts pass one per `slowSeconds` (a 429 with
//    Retry-After to the rest). A distributed guesser is slowed to that pace; the owner
//    at a known address is not affected at all, at a new one waits seconds, not minutes.
import type { Redis } from "ioredis";
import { RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../errors.js";
import type { Metrics } from "../metrics.js";
import { consume, type Limiter, makeLimiter } from "./ratelimit.js";

export interface LoginLimits {
  perAccountIp: number;
  perAccountNewIp: number;
  slowSeconds: number;
}

const WINDOW_SECONDS = 900;
// An address stays "known" for an account this long after a successful sign-in.
const KNOWN_IP_SECONDS = 30 * 86_400;

export class LoginGuard {
  readonly #pair: Limiter;
  readonly #account: Limiter;
  readonly #slow: Limiter;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    limits: LoginLimits,
    private readonly metrics: Metrics,
  ) {
    this.#pair = makeLimiter(redis, prefix, "login_account_ip", limits.perAccountIp, WINDOW_SECONDS);
    this.#account = makeLimiter(redis, prefix, "login_account", limits.perAccountNewIp, WINDOW_SECONDS);
    this.#slow = makeLimiter(redis, prefix, "login_account_slow", 1, limits.slowSeconds);
  }

  /** Runs login under the limits; a CHAT_INVALID_CREDENTIALS outcome keeps its reserved points. */
  async attempt<T>(username: string, ip: string, login: () => Promise<T>): Promise<T> {
    const pairKey = `${username}|${ip}`;
    await consume(this.#pair, pairKey, this.metrics);
    const reserved: [Limiter, string][] = [[this.#pair, pairKey]];
    try {
      if (!(await this.#known(username, ip))) {
        // The account budget running out is not yet a refusal: the slow lane decides.
        const free = await this.#account.limiter.consume(username).then(
          () => true,
          (err: unknown) => {
            if (err instanceof RateLimiterRes) return false;
            throw err;
          },
        );
        if (free) reserved.push([this.#account, username]);
        else await consume(this.#slow, username, this.metrics);
      }
    } catch (err) {
      await this.#refund(reserved);
      throw err;
    }
    try {
      const out = await login();
      await this.#refund(reserved);
      if (this.redis.status === "ready")
        await this.redis.set(this.#knownKey(username, ip), "1", "EX", KNOWN_IP_SECONDS).catch(() => {});
      return out;
    } catch (err) {
      if (!(err instanceof AppError && err.code === "CHAT_INVALID_CREDENTIALS")) await this.#refund(reserved);
      throw err;
    }
  }

  #knownKey(username: string, ip: string): string {
    return `${this.prefix}login:known:${username}|${ip}`;
  }

  async #known(username: string, ip: string): Promise<boolean> {
    // Not connected: unknown (the account budget applies), rather than waiting for a reconnect.
    if (this.redis.status !== "ready") return false;
    return (await this.redis.exists(this.#knownKey(username, ip)).catch(() => 0)) === 1;
  }

  async #refund(reserved: [Limiter, string][]): Promise<void> {
    await Promise.all(reserved.map(([l, key]) => l.limiter.reward(key, 1).catch(() => {})));
  }
}
