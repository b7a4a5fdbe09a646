// Accessibility (axe-core: no serious or critical violations on the main screens),
// keyboard-only use, phone width, the bundle budget, and time to first render in Chromium.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  context,
  launch,
  platform,
  register,
  rest,
  screenshot,
  signedInPage,
  uniqueName,
} from "./harness.js";

let browser: Browser;
let base: string;
let adminToken: string;
let axeSource: string;
beforeAll(async () => {
  ({ url: base, adminToken } = await platform());
  browser = await launch();
  axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
});
afterAll(async () => {
  await browser?.close();
});

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/** axe-core run through the DevTools protocol (the page's CSP forbids injected scripts, rightly). */
async function axe(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const res = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (o: object) => Promise<unknown> } }).axe.run({
      resultTypes: ["violations"],
    }),
  )) as AxeResult;
  return res.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

async function seededRoom() {
  const u = await register(base, "ux");
  const friend = await register(base, "uxfriend");
  const room = await rest<{ id: number }>(base, u.accessToken, "POST", "/v1/rooms", {
    kind: "public",
    name: `design ${uniqueName("d")}`,
    topic: "UI reviews",
  });
  await rest(base, friend.accessToken, "POST", `/v1/rooms/${room.id}/join`);
  const dm = await rest<{ id: number }>(base, u.accessToken, "POST", "/v1/rooms/direct", {
    userId: friend.id,
  });
  await rest(base, friend.accessToken, "POST", `/v1/rooms/${dm.id}/messages`, { body: "점심 같이 할래요?" });
  const lines = [
    "Can someone review the new login screen?",
    `@${u.username} looks good, one nit on the error text`,
    "어두운 테마도 확인했어요. 대비가 충분합니다",
    "Ship it!",
  ];
  const sent: { seq: number }[] = [];
  for (const [i, body] of lines.entries())
    sent.push(
      await rest(base, (i % 2 ? friend : u).accessToken, "POST", `/v1/rooms/${room.id}/messages`, { body }),
    );
  const path = (seq: number) => `/v1/rooms/${room.id}/messages/${seq}`;
  await rest(base, friend.accessToken, "PUT", `${path(sent[0]!.seq)}/reactions/${encodeURIComponent("👀")}`);
  await rest(base, u.accessToken, "PUT", `${path(sent[3]!.seq)}/reactions/${encodeURIComponent("🎉")}`);
  await rest(base, friend.accessToken, "PUT", `${path(sent[3]!.seq)}/reactions/${encodeURIComponent("🎉")}`);
  for (const body of ["The error text now says which field is wrong", "Perfect, thanks!"])
    await rest(base, friend.accessToken, "POST", `/v1/rooms/${room.id}/messages`, {
      body,
      parentSeq: sent[1]!.seq,
    });
  // Another room with news the user has not read yet.
  const other = await rest<{ id: number }>(base, friend.accessToken, "POST", "/v1/rooms", {
    kind: "public",
    name: `서울 오피스 ${uniqueName("o")}`,
  });
  await rest(base, u.accessToken, "POST", `/v1/rooms/${other.id}/join`);
  await rest(base, friend.accessToken, "POST", `/v1/rooms/${other.id}/messages`, {
    body: "금요일 회식 장소 정했어요 🍜",
  });
  return { u, friend, room };
}

it("has no serious accessibility violations on sign-in, chat and operations", async () => {
  const { u, room } = await seededRoom();
  const ctx = await context(browser, base);
  // Every Content-Security-Policy violation on any page of this context is recorded.
  await ctx.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const violations = (p: Page) =>
    p.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
  const login = await ctx.newPage();
  await login.goto("/");
  await login.getByRole("button", { name: "Sign in" }).waitFor();
  expect(await axe(login)).toEqual([]);

  const chat = await signedInPage(ctx, u, `/rooms/${room.id}`);
  await chat.getByTestId("timeline").getByText("Ship it!").waitFor();
  await chat.getByRole("button", { name: "2 replies" }).waitFor();
  await chat.getByText("금요일 회식 장소 정했어요 🍜").waitFor();
  await screenshot(chat, "chat");
  expect(await axe(chat)).toEqual([]);
  // A thread: the replies, and a reply sent from the thread panel.
  await chat.getByRole("button", { name: "2 replies" }).click();
  const thread = chat.getByRole("complementary", { name: "Thread" });
  await thread.getByText("Perfect, thanks!").waitFor();
  await thread.getByRole("textbox", { name: "Reply in thread" }).fill("Merged 🚀");
  await thread.getByRole("textbox", { name: "Reply in thread" }).press("Enter");
  await thread.getByText("Merged 🚀").waitFor();
  await chat.getByRole("button", { name: "3 replies" }).waitFor();
  await screenshot(chat, "thread");
  expect(await axe(chat)).toEqual([]);
  await thread.getByRole("button", { name: "Close thread" }).click();
  await chat.getByRole("button", { name: /Members/ }).click();
  await chat.getByRole("complementary", { name: "Members" }).getByText(`@${u.username}`).waitFor();
  expect(await axe(chat)).toEqual([]);

  const ops = await ctx.newPage();
  await ops.goto("/ops");
  await ops.getByLabel("Admin token").fill(adminToken);
  await ops.getByRole("button", { name: "Open" }).click();
  await ops.getByTestId("shards").locator("tbody tr").first().waitFor();
  expect(await axe(ops)).toEqual([]);
  // The app needs nothing the CSP forbids (axe itself was evaluated through DevTools, not injected).
  for (const p of [login, chat, ops]) expect(await violations(p)).toEqual([]);
  await ctx.close();
});

it("refreshes an expired access token and retries the call", async () => {
  const { u, room } = await seededRoom();
  const ctx = await context(browser, base);
  // The first room listing is answered as if the access token had expired.
  let refused = 0;
  let refreshed = 0;
  await ctx.route("**/v1/rooms?*", async (route) => {
    if (refused++ > 0) return route.continue();
    await route.fulfill({
      status: 401,
      contentType: "application/problem+json",
      body: JSON.stringify({
        type: "about:blank",
        title: "Authentication is required",
        status: 401,
        code: "CHAT_UNAUTHENTICATED",
        detail: "token expired",
      }),
    });
  });
  ctx.on("request", (r) => {
    if (r.url().endsWith("/v1/auth/refresh")) refreshed++;
  });
  const page = await signedInPage(ctx, u);
  await page.locator(`[data-room-id="${room.id}"]`).waitFor();
  expect(refused).toBeGreaterThanOrEqual(2); // refused once, then retried
  expect(refreshed).toBe(2); // the session restore, and the refresh after the 401
  await ctx.close();
});

it("can be used with the keyboard alone", async () => {
  const u = await register(base, "keys");
  const ctx = await context(browser, base);
  const page = await signedInPage(ctx, u);
  const focusOn = async (name: string) => {
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      const label = await page.evaluate(
        () => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent ?? "",
      );
      if (label.trim() === name) return;
    }
    throw new Error(`Tab never reached "${name}"`);
  };
  await focusOn("+ New room");
  await page.keyboard.press("Enter");
  // The dialog takes focus; type a name, and Enter submits.
  const name = `keyboard ${uniqueName("k")}`;
  await page.getByRole("dialog", { name: "New room" }).waitFor();
  await page.keyboard.type(name);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/rooms\/\d+$/);
  await focusOn(`Message ${name}`);
  await page.keyboard.type("typed without a mouse");
  await page.keyboard.press("Enter");
  await page.getByTestId("timeline").getByText("typed without a mouse").waitFor();
  // Escape closes a dialog.
  await page.getByRole("button", { name: "Browse" }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("dialog", { name: "Public rooms" }).waitFor();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog").count()).resolves.toBe(0);
  await ctx.close();
});

it("works at phone width: the room list and a room are separate screens", async () => {
  const { u, room } = await seededRoom();
  const ctx = await context(browser, base, { width: 390, height: 844 });
  const page = await signedInPage(ctx, u);
  const item = page.locator(`[data-room-id="${room.id}"]`);
  await item.waitFor();
  // The room where the user was mentioned has its unread badge marked as a mention.
  await item.locator(".badge.mention").waitFor();
  await screenshot(page, "phone-rooms");
  await item.click();
  await page.getByTestId("timeline").getByText("Ship it!").waitFor();
  await expect(page.getByRole("navigation", { name: "Rooms" }).isVisible()).resolves.toBe(false);
  const box = page.getByRole("textbox", { name: /^Message design/ });
  const rect = await box.boundingBox();
  expect(rect && rect.x + rect.width).toBeLessThanOrEqual(390);
  await box.fill("from my phone 📱");
  await box.press("Enter");
  await page.getByTestId("timeline").getByText("from my phone 📱").waitFor();
  // Nothing overflows sideways.
  await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
  await screenshot(page, "phone-room");
  await page.getByRole("button", { name: "Back to rooms" }).click();
  await item.waitFor();
  await ctx.close();
});

it("stays within its bundle budget and renders fast in Chromium", async () => {
  // Bundle: every asset index.html loads, gzip-compressed.
  const html = await (await fetch(`${base}/`)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  let raw = 0;
  let gz = 0;
  for (const a of assets) {
    const res = await fetch(`${base}${a}`);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const buf = Buffer.from(await res.arrayBuffer());
    raw += buf.length;
    gz += gzipSync(buf, { level: 9 }).length;
  }
  expect(gz).toBeLessThan(150 * 1024);

  // First render: a cold profile loading the sign-in page, and a returning user's room list.
  const { u, room } = await seededRoom();
  const runs: { fcp: number; rooms: number; messages: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const ctx = await context(browser, base);
    const cold = await ctx.newPage();
    await cold.goto("/");
    await cold.getByRole("button", { name: "Sign in" }).waitFor();
    const fcp = await cold.evaluate(
      () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN,
    );
    const page = await signedInPage(ctx, u, `/rooms/${room.id}`);
    const t = await page.evaluate(async (rid) => {
      const at = (sel: string) =>
        new Promise<number>((resolve) => {
          const tick = () =>
            document.querySelector(sel) ? resolve(performance.now()) : requestAnimationFrame(tick);
          tick();
        });
      return { rooms: await at(`[data-room-id="${rid}"]`), messages: await at("[data-testid=message]") };
    }, room.id);
    runs.push({ fcp, ...t });
    await ctx.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fcp = median(runs.map((r) => r.fcp));
  const rooms = median(runs.map((r) => r.rooms));
  const messages = median(runs.map((r) => r.messages));
  console.log(
    `bundle: ${assets.length} assets, ${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzip; ` +
      `first contentful paint (sign-in, cold) ${fcp.toFixed(0)} ms; returning user: room list ${rooms.toFixed(0)} ms, ` +
      `room's messages ${messages.toFixed(0)} ms after navigation start (median of 3)`,
  );
  expect(fcp).toBeLessThan(3000);
  expect(messages).toBeLessThan(5000);
});
