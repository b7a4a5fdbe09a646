import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { HttpClient, registerUser } from "../helpers/client.js";

let cluster: TestCluster;
let anon: HttpClient;
let base: string;

beforeAll(async () => {
  cluster = await createTestCluster();
  const app = await cluster.start({
    CHAT_RATE_LOGIN_PER_IP_PER_MINUTE: "20",
    CHAT_RATE_LOGIN_PER_ACCOUNT_PER_15MIN: "4",
  });
  base = app.url();
  anon = new HttpClient(base);
});
afterAll(() => cluster?.close());

describe("accounts", () => {
  it("registers with username rules and a password policy", async () => {
    const ok = await anon.post("/v1/auth/register", {
      username: "  Alice.Kim ",
      password: "long enough pw",
      displayName: "앨리스",
    });
    expect(ok.status).toBe(201);
    expect(ok.body.user).toMatchObject({ username: "alice.kim", displayName: "앨리스" });
    expect(ok.body.tokenType).toBe("Bearer");
    expect(ok.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    expect(
      (await anon.post("/v1/auth/register", { username: "alice.kim", password: "another good one" })).status,
    ).toBe(409);
    expect(
      (await anon.post("/v1/auth/register", { username: "ALICE.KIM", password: "another good one" })).body
        .code,
    ).toBe("CHAT_USERNAME_TAKEN");
    for (const username of ["ab", "has space", "-dash", "x".repeat(33), "émile", "room", "Here"]) {
      const r = await anon.post("/v1/auth/register", { username, password: "long enough pw" });
      expect(r.status, username).toBe(400);
    }
    for (const password of ["short", "aaaaaaaaaaaa", "bob12345-bob12345"]) {
      const r = await anon.post("/v1/auth/register", { username: "bob12345", password });
      expect(r.status, password).toBe(400);
      expect(r.body.code).toBe("CHAT_VALIDATION_FAILED");
    }
  });

  it("logs in, serves /me, updates the profile and finds users by prefix", async () => {
    expect(
      (await anon.post("/v1/auth/register", { username: "carol", password: "secret pass 42" })).status,
    ).toBe(201);
    const bad = await anon.post("/v1/auth/login", { username: "carol", password: "wrong password" });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe("CHAT_INVALID_CREDENTIALS");
    const unknown = await anon.post("/v1/auth/login", { username: "nobody-here", password: "whatever pw" });
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe("CHAT_INVALID_CREDENTIALS");

    const ok = await anon.post("/v1/auth/login", { username: "Carol", password: "secret pass 42" });
    expect(ok.status).toBe(200);
    const me = new HttpClient(base, ok.body.accessToken);
    expect((await me.get("/v1/me")).body.username).toBe("carol");
    const upd = await me.patch("/v1/me", { displayName: "Carol C." });
    expect(upd.body.displayName).toBe("Carol C.");
    const found = await me.get("/v1/users?prefix=car");
    expect(found.body.users.map((u: { username: string }) => u.username)).toContain("carol");
    // LIKE wildcards are literal
    expect((await me.get("/v1/users?prefix=%25")).body.users).toEqual([]);
    expect((await me.get(`/v1/users/${ok.body.user.id}`)).body.username).toBe("carol");
    expect((await me.get("/v1/users/999999")).status).toBe(404);
  });

  it("rotates refresh tokens, detects reuse and revokes on logout", async () => {
    const u = await registerUser(base);
    const r1 = await anon.post("/v1/auth/refresh", { refreshToken: u.refreshToken });
    expect(r1.status).toBe(200);
    expect(r1.body.refreshToken).not.toBe(u.refreshToken);
    // The rotated token is spent; presenting it again revokes the whole family.
    const reuse = await anon.post("/v1/auth/refresh", { refreshToken: u.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe("CHAT_REFRESH_TOKEN_INVALID");
    expect((await anon.post("/v1/auth/refresh", { refreshToken: r1.body.refreshToken })).status).toBe(401);

    const login = await anon.post("/v1/auth/login", {
      username: u.username,
      password: "correct horse battery",
    });
    expect((await anon.post("/v1/auth/logout", { refreshToken: login.body.refreshToken })).status).toBe(204);
    expect((await anon.post("/v1/auth/refresh", { refreshToken: login.body.refreshToken })).status).toBe(401);
    // Logout is idempotent and says nothing about unknown tokens.
    expect((await anon.post("/v1/auth/logout", { refreshToken: "not-a-token" })).status).toBe(204);
  });

  it("stores only argon2id hashes and token digests", async () => {
    const u = await registerUser(base);
    const [creds] = await cluster.apps[0]!.catalog.query(
      "SELECT password_hash FROM credentials WHERE user_id = ?",
      [u.id],
    );
    expect((creds as { password_hash: string }[])[0]?.password_hash).toMatch(/^\$argon2id\$/);
    const [toks] = await cluster.apps[0]!.catalog.query(
      "SELECT token_hash FROM refresh_tokens WHERE user_id = ?",
      [u.id],
    );
    for (const t of toks as { token_hash: string }[]) {
      expect(t.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(t.token_hash).not.toBe(u.refreshToken);
    }
  });

  it("does not count successful logins against the account limit", async () => {
    expect(
      (await anon.post("/v1/auth/register", { username: "frank", password: "secret pass 44" })).status,
    ).toBe(201);
    for (let i = 0; i < 6; i++) {
      expect(
        (await anon.post("/v1/auth/login", { username: "frank", password: "secret pass 44" })).status,
      ).toBe(200);
    }
  });

  it("rate-limits failed logins per account, then per IP, with Retry-After", async () => {
    await anon.post("/v1/auth/register", { username: "dave", password: "secret pass 43" });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push(
        (await anon.post("/v1/auth/login", { username: "dave", password: "wrong password" })).status,
      );
    }
    expect(codes.slice(0, 4)).toEqual([401, 401, 401, 401]);
    const limited = await anon.post("/v1/auth/login", { username: "dave", password: "secret pass 43" });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("CHAT_RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Other accounts hit the per-IP limit soon after.
    let ipLimited = false;
    for (let i = 0; i < 25 && !ipLimited; i++) {
      ipLimited =
        (await anon.post("/v1/auth/login", { username: "erin", password: "whatever pw" })).status === 429;
    }
    expect(ipLimited).toBe(true);
  });
});
