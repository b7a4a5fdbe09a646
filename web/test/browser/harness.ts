// Browser test harness: Debian's Chromium driven by playwright-core against the real
// platform on 127.0.0.1 (make infra-up && make platform-up; the gateway serves web/dist).
// Users are created through the REST API; pages sign in through the UI or by handing the
// app a refresh token, exactly as a returning user's browser does.
import { mkdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const SCREENSHOTS = `${REPO}docs/screenshots`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

async function envFile(name: string): Promise<Record<string, string>> {
  const text = await readFile(`${REPO}.run/${name}`, "utf8").catch(() => "");
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export async function platform(): Promise<{ url: string; adminToken: string }> {
  const url = process.env.CHAT_URL ?? (await envFile("platform.env")).CHAT_URL ?? "http://127.0.0.1:18080";
  const adminToken = process.env.CHAT_ADMIN_TOKEN ?? (await envFile("secrets.env")).CHAT_ADMIN_TOKEN ?? "";
  const res = await fetch(`${url}/readyz`).catch(() => null);
  if (!res?.ok)
    throw new Error(`the platform at ${url} is not ready: run 'make infra-up && make platform-up' first`);
  const html = await (await fetch(`${url}/`, { headers: { accept: "text/html" } })).text();
  if (!html.includes('<div id="root">'))
    throw new Error(`${url}/ does not serve the web client: run 'npm run build -w web'`);
  return { url, adminToken };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--lang=en-US",
    ],
  });
}

/** A fresh browser profile (cookies, storage) at desktop or phone size, failing on page errors. */
export async function context(
  browser: Browser,
  base: string,
  size: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    baseURL: base,
    viewport: size,
    locale: "en-US",
    timezoneId: "UTC",
    // Every browser is a different person's machine to the platform's per-address limits.
    extraHTTPHeaders: { "X-Forwarded-For": clientIp() },
  });
  ctx.setDefaultTimeout(15_000);
  bases.set(ctx, base);
  return ctx;
}

/**
 * Collects page errors, console errors (CSP violations included) and failed API answers
 * (401 or 5xx, with their URL) of a page; assert it stays empty.
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
      errors.push(`console: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.status() === 401 || r.status() >= 500)
      errors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return errors;
}

export interface TestUser {
  id: number;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

const bases = new WeakMap<BrowserContext, string>();

/**
 * A distinct client address (RFC 2544 benchmark range) for each simulated person. The
 * platform trusts X-Forwarded-For from loopback (CHAT_TRUST_PROXY), as from an ingress; the
 * suite creates more accounts than one address may register per hour, like many people
 * behind one ingress would.
 */
let ipCounter = Math.floor(Math.random() * 60_000);
export function clientIp(): string {
  ipCounter = (ipCounter + 1) % 65_000;
  return `198.18.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}

const RUN = Date.now().toString(36).slice(-5);
let n = 0;
/** A unique username per test run (usernames: lower-case letters, digits, _). */
export const uniqueName = (base: string): string => `${base}_${RUN}${n++}`;

export async function register(base: string, name: string): Promise<TestUser> {
  const username = uniqueName(name);
  const password = "correct horse battery staple";
  const res = await fetch(`${base}/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": clientIp() },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
  const s = (await res.json()) as { user: { id: number }; accessToken: string; refreshToken: string };
  return { id: s.user.id, username, password, accessToken: s.accessToken, refreshToken: s.refreshToken };
}

/** A REST call as a user (setup and direct checks; the UI is what is tested). */
export async function rest<T>(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Signs a page in as a returning user: the app finds a refresh token and restores the session. */
export async function signedInPage(ctx: BrowserContext, user: TestUser, path = "/"): Promise<Page> {
  // Each page gets its own refresh token (they rotate): log in once more for this browser.
  const res = await fetch(new URL("/v1/auth/login", baseOf(ctx)), {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": clientIp() },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  if (!res.ok) throw new Error(`login ${user.username}: ${res.status} ${await res.text()}`);
  const { refreshToken } = (await res.json()) as { refreshToken: string };
  // Once per tab: a reload after signing out must not sign in again.
  await ctx.addInitScript((t) => {
    if (sessionStorage.getItem("test.seeded")) return;
    sessionStorage.setItem("test.seeded", "1");
    localStorage.setItem("chatcluster.refresh", t);
  }, refreshToken);
  const page = await ctx.newPage();
  await page.goto(path);
  await page.getByTestId("connection").and(page.locator('[data-state="online"]')).waitFor();
  return page;
}

const baseOf = (ctx: BrowserContext): string => {
  const b = bases.get(ctx);
  if (!b) throw new Error("context without a base URL");
  return b;
};

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage });
}

/** Seqs of the messages the main timeline shows, in DOM order. */
export async function shownSeqs(page: Page): Promise<number[]> {
  return page
    .getByTestId("timeline")
    .locator("[data-testid=message]")
    .evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seq)));
}
