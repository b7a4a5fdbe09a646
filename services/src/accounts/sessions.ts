// What a correctly signed access token cannot prove by itself (issue 14, defect 5):
// that its user still exists and that its session was not signed out. Both answers are
// cached in Redis so a request costs one MGET; the catalog is asked only on a miss.
//
// A session is a refresh-token family (the access token's `sid`); logging out revokes
// the family in the catalog and marks its sid revoked in Redis for as long as access
// tokens live. Redis unreachable → revocations cannot be seen (the token lives out its
// ≤ 15 min) and existence comes from the catalog: signing in keeps working.
import type { Redis } from "ioredis";
import type { Pool, RowDataPacket } from "../db/pool.js";
import { AppError } from "../errors.js";

const USER_CACHE_SECONDS = 300;

export class SessionGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly catalog: Pool,
    /** How long a revocation must be remembered: the access tokens' lifetime. */
    private readonly accessTtlSeconds: number,
    /** Ends what is already connected with the session (its sockets), beyond refusing new calls. */
    private readonly onRevoked: (userId: number, sessionId: string) => void = () => {},
  ) {}

  #revokedKey = (sid: string): string => `${this.prefix}sess:revoked:${sid}`;
  #userKey = (userId: number): string => `${this.prefix}sess:user:${userId}`;

  /** Throws 401 when the user does not exist or the session was signed out. */
  async check(userId: number, sid: string): Promise<void> {
    // A Redis that is not connected is skipped, not waited for (ioredis would queue the
    // command through its reconnect attempts: seconds on every request).
    const ready = this.redis.status === "ready";
    const [revoked, known] = ready
      ? await this.redis.mget(this.#revokedKey(sid), this.#userKey(userId)).catch(() => [null, null])
      : [null, null];
    if (revoked) throw new AppError("CHAT_UNAUTHENTICATED", "the session was signed out");
    if (known === "1") return;
    const [rows] = await this.catalog.query<RowDataPacket[]>("SELECT 1 FROM users WHERE id = ?", [userId]);
    if (rows.length === 0) throw new AppError("CHAT_UNAUTHENTICATED", "the access token is invalid");
    if (ready) await this.redis.set(this.#userKey(userId), "1", "EX", USER_CACHE_SECONDS).catch(() => {});
  }

  /** Makes the session's access tokens invalid from now on and disconnects its sockets (logout). */
  async revoke(userId: number, sid: string): Promise<void> {
    await this.redis.set(this.#revokedKey(sid), "1", "EX", this.accessTtlSeconds + 60).catch(() => {});
    this.onRevoked(userId, sid);
  }
}
