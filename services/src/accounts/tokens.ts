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
}

export class TokenService {
  readonly #key: Uint8Array;
  constructor(
    secret: string,
    readonly accessTtlSeconds: number,
  ) {
    this.#key = new TextEncoder().encode(secret);
  }

  async signAccess(claims: AccessClaims): Promise<string> {
    return new SignJWT({ name: claims.username, typ: "access" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(String(claims.userId))
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.accessTtlSeconds}s`)
      .sign(this.#key);
  }

  /** Verifies an access token; every failure is the same 401 so clients learn nothing from it. */
  async verifyAccess(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      const userId = Number(payload.sub);
      if (payload.typ !== "access" || !Number.isSafeInteger(userId) || userId <= 0)
        throw new Error("bad claims");
      return { userId, username: String(payload.name ?? "") };
    } catch (err) {
      const detail =
        err instanceof joseErrors.JWTExpired ? "the access token has expired" : "the access token is invalid";
      throw new AppError("CHAT_UNAUTHENTICATED", detail);
    }
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
