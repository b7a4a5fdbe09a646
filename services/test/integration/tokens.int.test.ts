// Access tokens (issue 14, defect 5): a signed token must expire within the access
// TTL, must be for a user that exists, and stops working when its session logs out —
// on REST and at the socket handshake alike.
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { connectSocket, HttpClient, registerUser, type TestUser } from "../helpers/client.js";
import { testEnv } from "../helpers/infra.js";

let cluster: TestCluster;
let base: string;
let alice: TestUser;
let secret: Uint8Array;

beforeAll(async () => {
  cluster = await createTestCluster();
  base = (await cluster.start()).url();
  secret = new TextEncoder().encode(testEnv(cluster.dbs).CHAT_JWT_SECRET);
  alice = await registerUser(base, "alice");
});
afterAll(() => cluster?.close());

/** A token signed with the platform's own key, shaped as the test says. */
function forge(claims: {
  sub: number;
  exp?: number | null;
  iat?: number | null;
  sid?: string;
}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ name: "forged", typ: "access", ...(claims.sid ? { sid: claims.sid } : {}) })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(String(claims.sub))
    .setIssuer("chatcluster")
    .setAudience("chatcluster-api");
  if (claims.iat !== null) jwt.setIssuedAt(claims.iat ?? now);
  if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? now + 600);
  return jwt.sign(secret);
}

async function refused(token: string): Promise<void> {
  const http = new HttpClient(base, token);
  const rest = await http.post("/v1/rooms", { kind: "public", name: "should not exist" });
  expect(rest.status).toBe(401);
  expect(rest.body.code).toBe("CHAT_UNAUTHENTICATED");
  await expect(connectSocket(base, token)).rejects.toMatchObject({ data: { code: "CHAT_UNAUTHENTICATED" } });
}

const sidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString()).sid;

describe("access tokens", () => {
  it("are refused without exp, without iat, or with a lifetime beyond the access TTL", async () => {
    const sid = sidOf(alice.token);
    await refused(await forge({ sub: alice.id, sid, exp: null }));
    await refused(await forge({ sub: alice.id, sid, iat: null }));
    await refused(
      await forge({ sub: alice.id, sid, exp: Math.floor(Date.now() / 1000) + 10 * 365 * 86_400 }),
    );
    // The same claims within the TTL work, so the refusals above are about exp/iat.
    const ok = new HttpClient(base, await forge({ sub: alice.id, sid }));
    expect((await ok.get("/v1/me")).status).toBe(200);
  });

  it("are refused for a user that does not exist", async () => {
    await refused(await forge({ sub: 987_654_321, sid: "0123456789abcdef0123456789abcdef" }));
  });

  it("stop working when their session logs out", async () => {
    const bob = await registerUser(base, "bob");
    expect((await bob.http.get("/v1/me")).status).toBe(200);
    const live = await connectSocket(base, bob.token);
    const dropped = new Promise<string>((r) => live.once("disconnect", (reason) => r(reason)));
    const anon = new HttpClient(base);
    expect((await anon.post("/v1/auth/logout", { refreshToken: bob.refreshToken })).status).toBe(204);
    await refused(bob.token);
    // A socket already connected with the session is disconnected by the server too.
    expect(await dropped).toBe("io server disconnect");
    // Another session of the same user is not affected.
    const again = await anon.post("/v1/auth/login", {
      username: bob.username,
      password: "correct horse battery",
    });
    expect((await new HttpClient(base, again.body.accessToken).get("/v1/me")).status).toBe(200);
  });
});
