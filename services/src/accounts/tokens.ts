// Access tokens are short-lived HS256 JWTs; refresh tokens are random opaque
// strings of which only a SHA-256 is stored.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { AppError } from "../errors.js";

const ISSUER = "chatcluster";
const AUDIENCE = "chatcluster-api";

export interface AccessClaims {
  userId: number;
  username: string;
  /** The session (refresh-token family) the token was issued for; logout revokes it. */
  sessionId?: string | undefined;
}

/** Checks what a signature cannot: the user exists, the session is not signed out. */
export interface SessionCheck {
  check(userId: number, sessionId: string): Promise<void>;
}

// Clock skew tolerated between the instance that signed a token and the one verifying
// it (an iat slightly in the future); small, since it also extends every expiry.
const SKEW_SECONDS = 5;

export class TokenService {
  readonly #key: Uint8Array;
  constructor(
    secret: string,
    readonly accessTtlSeconds: number,
    /** Absent in unit tests of the HTTP layer; the app always passes one (then `sid` is required). */
    private readonly sessions?: SessionCheck,
  ) {
    this.#key = new TextEncoder().encode(secret);
  }

  async signAccess(claims: AccessClaims): Promise<string> {
    return new SignJWT({
      name: claims.username,
      typ: "access",
      ...(claims.sessionId ? { sid: claims.sessionId } : {}),
    })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(String(claims.userId))
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.accessTtlSeconds}s`)
      .sign(this.#key);
  }

  /**
   * Verifies an access token; every failure is a 401 that tells clients nothing useful to an attacker.
   * Tokens must carry `exp` and `iat`, and live no longer than this instance's access TTL: a token
   * signed without an expiry (or with a far one) is refused, not accepted forever.
   */
  async verifyAccess(token: string): Promise<AccessClaims> {
    let claims: AccessClaims;
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ["exp", "iat", "sub"],
        maxTokenAge: this.accessTtlSeconds + SKEW_SECONDS,
        clockTolerance: SKEW_SECONDS,
      });
      const userId = Number(payload.sub);
      const exp = payload.exp as number;
      const iat = payload.iat as number;
      if (payload.typ !== "access" || !Number.isSafeInteger(userId) || userId <= 0)
        throw new Error("bad claims");
      if (exp - iat > this.accessTtlSeconds + SKEW_SECONDS) throw new Error("lifetime too long");
      const sid = typeof payload.sid === "string" && payload.sid.length > 0 ? payload.sid : undefined;
      if (this.sessions && !sid) throw new Error("no session");
      claims = { userId, username: String(payload.name ?? ""), sessionId: sid };
    } catch (err) {
      const detail =
        err instanceof joseErrors.JWTExpired ? "the access token has expired" : "the access token is invalid";
      throw new AppError("CHAT_UNAUTHENTICATED", detail);
    }
    if (this.sessions) await this.sessions.check(claims.userId, claims.sessionId as string);
    return claims;
  }
}

export const newOpaqueToken = (): string => randomBytes(32).toString("base64url");
export const newFamilyId = (): string => randomBytes(16).toString("hex");
export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}
