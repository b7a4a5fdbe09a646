// Login limits (issue 14, defect 3): the check and the count are one atomic step, so
// concurrent guesses cannot all pass; guesses from other addresses never lock the
// owner out of an address they signed in from.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { HttpClient } from "../helpers/client.js";

let cluster: TestCluster;
let anon: HttpClient;

beforeAll(async () => {
  cluster = await createTestCluster();
  const app = await cluster.start({
    CHAT_RATE_LOGIN_PER_ACCOUNT_PER_15MIN: "10",
    CHAT_RATE_LOGIN_NEW_IP_PER_ACCOUNT_PER_15MIN: "10",
    CHAT_RATE_LOGIN_SLOW_SECONDS: "30",
  });
  anon = new HttpClient(app.url());
});
afterAll(() => cluster?.close());

const login = (username: string, password: string, ip: string) =>
  anon.post("/v1/auth/login", { username, password }, { headers: { "x-forwarded-for": ip } });

describe("login limits", () => {
  it("50 concurrent wrong passwords from 50 addresses: at most the budget is tried", async () => {
    expect(
      (await anon.post("/v1/auth/register", { username: "gina", password: "secret pass 45" })).status,
    ).toBe(201);
    const codes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        login("gina", "wrong password", `10.0.1.${i + 1}`).then((r) => r.status),
      ),
    );
    const tried = codes.filter((c) => c === 401).length;
    // 10 from the account's budget for new addresses, plus at most one slow-lane attempt.
    expect(tried).toBeGreaterThanOrEqual(10);
    expect(tried).toBeLessThanOrEqual(11);
    expect(codes.filter((c) => c === 429)).toHaveLength(50 - tried);
  });

  it("the same address is limited sequentially, and only failures count", async () => {
    await anon.post("/v1/auth/register", { username: "hank", password: "secret pass 46" });
    // Successes do not spend the budget.
    for (let i = 0; i < 12; i++) expect((await login("hank", "secret pass 46", "10.0.2.1")).status).toBe(200);
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await login("hank", "wrong password", "10.0.2.1")).status);
    expect(codes).toEqual([...Array(10).fill(401), 429]);
    const limited = await login("hank", "secret pass 46", "10.0.2.1");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("an attacker's guesses do not lock the owner out of an address they signed in from", async () => {
    await anon.post("/v1/auth/register", { username: "iris", password: "secret pass 47" });
    expect((await login("iris", "secret pass 47", "10.0.3.1")).status).toBe(200);
    for (let i = 0; i < 30; i++) await login("iris", "wrong password", `10.0.4.${i + 1}`);
    expect((await login("iris", "wrong password", "10.0.4.200")).status).toBe(429);
    expect((await login("iris", "secret pass 47", "10.0.3.1")).status).toBe(200);
  });
});
