// Search finds a Korean message far up in a room's history and jumps to it; Korean and
// Latin room names sort the way a Korean or English reader expects.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  context,
  launch,
  platform,
  register,
  rest,
  screenshot,
  shownSeqs,
  signedInPage,
  uniqueName,
} from "./harness.js";

let browser: Browser;
let base: string;
beforeAll(async () => {
  base = (await platform()).url;
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

it("finds a Korean message and jumps to it, loading the history around it", async () => {
  const u = await register(base, "minji");
  const room = await rest<{ id: number }>(base, u.accessToken, "POST", "/v1/rooms", {
    kind: "private",
    name: `서울 ${uniqueName("팀")}`,
  });
  // A unique Korean phrase, then enough chatter that it is not on the first page.
  const token = uniqueName("회의실");
  const phrase = `내일 오후 세 시에 ${token}에서 분기 회의를 합니다`;
  const target = await rest<{ seq: number }>(base, u.accessToken, "POST", `/v1/rooms/${room.id}/messages`, {
    body: phrase,
  });
  for (let i = 1; i <= 80; i++)
    await rest(base, u.accessToken, "POST", `/v1/rooms/${room.id}/messages`, { body: `chatter ${i}` });

  const ctx = await context(browser, base);
  const page = await signedInPage(ctx, u, `/rooms/${room.id}`);
  await page.getByTestId("timeline").getByText("chatter 80", { exact: true }).waitFor();
  expect(await page.getByText(phrase).count()).toBe(0); // not loaded yet

  // The search index is filled asynchronously (event pipeline): search until it answers.
  const box = page.getByRole("searchbox", { name: "Search messages" });
  const hit = page.getByTestId("search-hit").filter({ hasText: token });
  for (let attempt = 0; attempt < 30 && (await hit.count()) === 0; attempt++) {
    await box.fill(`${token}에서`);
    await box.press("Enter");
    await page
      .getByRole("complementary", { name: "Search results" })
      .getByText(/No messages match|회의/)
      .first()
      .waitFor();
    if ((await hit.count()) === 0) await page.waitForTimeout(500);
  }
  await expect(hit.locator("mark").first().textContent()).resolves.toContain(token);
  await screenshot(page, "search");
  await page.getByRole("button", { name: "Close search" }).click();

  // Infinite scroll upward: reaching the top loads the older pages until the start.
  const timeline = page.getByTestId("timeline");
  for (let i = 0; i < 10 && (await page.getByText("This is the start of the room.").count()) === 0; i++) {
    await timeline.evaluate((el) => {
      el.scrollTop = 0;
    });
    await page.waitForTimeout(300);
  }
  await timeline.getByText(phrase).waitFor();
  const all = await shownSeqs(page);
  expect(all[0]).toBe(1);
  for (let i = 1; i < all.length; i++) expect(all[i]).toBe(all[i - 1]! + 1);
  expect(all.length).toBe(81);

  // Jumping from a fresh page load: the room opens around the hit.
  await page.goto(`/rooms/${room.id}`);
  await page.getByTestId("timeline").getByText("chatter 80", { exact: true }).waitFor();
  await box.fill(`${token}에서`);
  await box.press("Enter");
  await hit.click();
  await page.waitForURL(`**/rooms/${room.id}?m=${target.seq}`);
  const msg = page.locator(`#msg-${room.id}-${target.seq}`);
  await msg.getByText(phrase).waitFor();
  await expect(msg.evaluate((el) => el.classList.contains("highlight"))).resolves.toBe(true);
  await expect(msg.isVisible()).resolves.toBe(true);
  // The window around the hit is contiguous.
  const seqs = await shownSeqs(page);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
  await ctx.close();
});

it("sorts Korean and Latin room names by the reader's collation", async () => {
  const u = await register(base, "sort");
  const tag = uniqueName("s");
  const names = [`하늘 ${tag}`, `Zebra ${tag}`, `가나다 ${tag}`, `apple ${tag}`, `Éclair ${tag}`];
  for (const name of names) await rest(base, u.accessToken, "POST", "/v1/rooms", { kind: "public", name });
  const ctx = await context(browser, base);
  const page = await signedInPage(ctx, u);
  await page.getByRole("button", { name: "Browse" }).click();
  const dialog = page.getByRole("dialog", { name: "Public rooms" });
  await dialog.getByText(`하늘 ${tag}`).waitFor();
  const shown = (await dialog.locator("strong").allTextContents())
    .map((t) => t.replace(/^# /, ""))
    .filter((t) => t.endsWith(tag));
  expect(shown).toEqual([`apple ${tag}`, `Éclair ${tag}`, `Zebra ${tag}`, `가나다 ${tag}`, `하늘 ${tag}`]);
  await ctx.close();
});
