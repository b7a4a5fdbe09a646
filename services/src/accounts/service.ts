// Accounts: registration, login, rotating refresh tokens, profile, lookup.

import { isDuplicateKey, type Pool, type RowDataPacket, withTransaction } from "../db/pool.js";
import { AppError } from "../errors.js";
import type { PasswordHasher } from "./passwords.js";
import { passwordProblem } from "./rules.js";
import { hashToken, newFamilyId, newOpaqueToken, type TokenService } from "./tokens.js";

export interface User {
  id: number;
  username: string;
  displayName: string;
  createdAt: string;
}

export interface Session {
  user: User;
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

const mapUser = (r: RowDataPacket): User => ({
  id: Number(r.id),
  username: String(r.username),
  displayName: String(r.display_name),
  createdAt: (r.created_at as Date).toISOString(),
});

export class AccountService {
  constructor(
    private readonly catalog: Pool,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly refreshTtlSeconds: number,
    /** Told about logouts, so the session's access tokens stop working at once. */
    private readonly sessions?: { revoke(userId: number, sessionId: string): Promise<void> },
  ) {}

  async register(input: {
    username: string;
    password: string;
    displayName?: string | undefined;
  }): Promise<Session> {
    const why = passwordProblem(input.password, input.username);
    if (why)
      throw new AppError("CHAT_VALIDATION_FAILED", `password ${why}`, {
        issues: [{ path: "password", message: why }],
      });
    const hash = await this.hasher.hash(input.password);
    let userId: number;
    try {
      userId = await withTransaction(this.catalog, async (conn) => {
        const [res] = await conn.query("INSERT INTO users (username, display_name) VALUES (?, ?)", [
          input.username,
          input.displayName ?? input.username,
        ]);
        const id = Number((res as { insertId: number }).insertId);
        await conn.query("INSERT INTO credentials (user_id, password_hash) VALUES (?, ?)", [id, hash]);
        return id;
      });
    } catch (err) {
      if (isDuplicateKey(err)) throw new AppError("CHAT_USERNAME_TAKEN");
      throw err;
    }
    return this.#issue(await this.getUser(userId), newFamilyId());
  }

  async login(username: string, password: string): Promise<Session> {
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      `SELECT u.id, c.password_hash FROM users u JOIN credentials c ON c.user_id = u.id WHERE u.username = ?`,
      [username],
    );
    const row = rows[0];
    const ok = await this.hasher.verify(row ? String(row.password_hash) : null, password);
    if (!row || !ok) throw new AppError("CHAT_INVALID_CREDENTIALS");
    return this.#issue(await this.getUser(Number(row.id)), newFamilyId());
  }

  /**
   * Rotates a refresh token. Presenting a token that was already rotated means it
   * leaked (or a client raced itself): the whole family is revoked.
   */
  async refresh(refreshToken: string): Promise<Session> {
    const h = hashToken(refreshToken);
    const outcome = await withTransaction(this.catalog, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>(
        `SELECT id, user_id, family_id, expires_at, rotated_at, revoked_at
           FROM refresh_tokens WHERE token_hash = ? FOR UPDATE`,
        [h],
      );
      const t = rows[0];
      if (!t || t.revoked_at || (t.expires_at as Date) <= new Date()) return { ok: false as const };
      if (t.rotated_at) {
        await conn.query(
          "UPDATE refresh_tokens SET revoked_at = CURRENT_TIMESTAMP(3) WHERE family_id = ? AND revoked_at IS NULL",
          [t.family_id],
        );
        return { ok: false as const };
      }
      await conn.query("UPDATE refresh_tokens SET rotated_at = CURRENT_TIMESTAMP(3) WHERE id = ?", [t.id]);
      return { ok: true as const, userId: Number(t.user_id), family: String(t.family_id) };
    });
    if (!outcome.ok) throw new AppError("CHAT_REFRESH_TOKEN_INVALID");
    return this.#issue(await this.getUser(outcome.userId), outcome.family);
  }

  /** Revokes the token's whole family. Unknown tokens are accepted silently (logout is idempotent). */
  async logout(refreshToken: string): Promise<void> {
    // Two statements: MySQL refuses an UPDATE that reads its own table in a derived table.
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      "SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = ?",
      [hashToken(refreshToken)],
    );
    const family = rows[0]?.family_id;
    if (family === undefined) return;
    await this.catalog.query(
      "UPDATE refresh_tokens SET revoked_at = CURRENT_TIMESTAMP(3) WHERE family_id = ? AND revoked_at IS NULL",
      [family],
    );
    await this.sessions?.revoke(Number(rows[0]?.user_id), String(family));
  }

  async getUser(id: number): Promise<User> {
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      "SELECT id, username, display_name, created_at FROM users WHERE id = ?",
      [id],
    );
    const r = rows[0];
    if (!r) throw new AppError("CHAT_USER_NOT_FOUND");
    return mapUser(r);
  }

  async getUsers(ids: readonly number[]): Promise<Map<number, User>> {
    const out = new Map<number, User>();
    if (ids.length === 0) return out;
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      "SELECT id, username, display_name, created_at FROM users WHERE id IN (?)",
      [[...new Set(ids)]],
    );
    for (const r of rows) out.set(Number(r.id), mapUser(r));
    return out;
  }

  async findByUsernames(usernames: readonly string[]): Promise<User[]> {
    if (usernames.length === 0) return [];
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      "SELECT id, username, display_name, created_at FROM users WHERE username IN (?)",
      [[...new Set(usernames)]],
    );
    return rows.map(mapUser);
  }

  async updateProfile(id: number, patch: { displayName?: string | undefined }): Promise<User> {
    if (patch.displayName !== undefined) {
      await this.catalog.query(
        "UPDATE users SET display_name = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?",
        [patch.displayName, id],
      );
    }
    return this.getUser(id);
  }

  /** Prefix search on usernames; LIKE wildcards in the input are escaped. */
  async searchByPrefix(prefix: string, limit: number): Promise<User[]> {
    const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    const [rows] = await this.catalog.query<RowDataPacket[]>(
      "SELECT id, username, display_name, created_at FROM users WHERE username LIKE ? ORDER BY username LIMIT ?",
      [`${escaped}%`, limit],
    );
    return rows.map(mapUser);
  }

  async #issue(user: User, family: string): Promise<Session> {
    const refreshToken = newOpaqueToken();
    await this.catalog.query(
      `INSERT INTO refresh_tokens (user_id, token_hash, family_id, expires_at) VALUES (?, ?, ?, ?)`,
      [user.id, hashToken(refreshToken), family, new Date(Date.now() + this.refreshTtlSeconds * 1000)],
    );
    return {
      user,
      accessToken: await this.tokens.signAccess({
        userId: user.id,
        username: user.username,
        sessionId: family,
      }),
      tokenType: "Bearer",
      expiresIn: this.tokens.accessTtlSeconds,
      refreshToken,
      refreshExpiresIn: this.refreshTtlSeconds,
    };
  }
}
