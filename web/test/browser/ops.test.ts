// The operations page shows the cluster as the rebalancer sees it, live: shards with room
// counts and load, the hottest rooms, and a room move from start to finish with its write
// pause. A member keeps chatting in the moved room throughout.
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
  watchErrors,
} from "./harness.js";

let browser: Browser;
let base: string;
let adminToken: string;
beforeAll(async () => {
  ({ url: base, adminToken } = await platform());
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const admin = <T>(method: string, path: string, body?: unknown) =>
  rest<T>(base, adminToken, method, path, body);

it("asks for the admin token and rejects a wrong one with the server's message", async () => {
  const ctx = await context(browser, base);
  const page = await ctx.newPage();
  await page.goto("/ops");
  await page.getByLabel("Admin token").fill("definitely-not-the-admin-token");
  await page.getByRole("button", { name: "Open" }).click();
  await expect(page.getByRole("alert").textContent()).resolves.toMatch(/auth/i);
  await ctx.close();
});

it("shows a room move happening while a member keeps chatting", async () => {
  expect(adminToken, "CHAT_ADMIN_TOKEN (from .run/secrets.env)").not.toBe("");
  // A busy room: three people, a few hundred messages.
  const people = await Promise.all(["mover_a", "mover_b", "mover_c"].map((n) => register(base, n)));
  const [a, b, c] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
  const room = await rest<{ id: number }>(base, a.accessToken, "POST", "/v1/rooms", {
    kind: "public",
    name: `busy ${uniqueName("m")}`,
  });
  for (const p of [b, c]) await rest(base, p.accessToken, "POST", `/v1/rooms/${room.id}/join`);
  for (let i = 0; i < 90; i++)
    await Promise.all(
      people.map((p, k) =>
        rest(base, p.accessToken, "POST", `/v1/rooms/${room.id}/messages`, { body: `load ${k}-${i}` }),
      ),
    );
  const before = await admin<{ shardId: number }>("GET", `/admin/rooms/${room.id}`);
  const { shards } = await admin<{ shards: { shardId: number; state: string }[] }>("GET", "/admin/shards");
  const target = shards.find((s) => s.state === "active" && s.shardId !== before.shardId);
  expect(target, "a second active shard").toBeDefined();

  // A member has the room open.
  const chatCtx = await context(browser, base);
  const chat = await signedInPage(chatCtx, b, `/rooms/${room.id}`);
  await chat.getByTestId("timeline").getByText("load 2-89", { exact: true }).waitFor();

  // The admin opens the operations page.
  const opsCtx = await context(browser, base);
  const ops = await opsCtx.newPage();
  const opsErrors = watchErrors(ops);
  await ops.goto("/ops");
  await ops.getByLabel("Admin token").fill(adminToken);
  await ops.getByRole("button", { name: "Open" }).click();
  await ops.getByTestId("shards").locator(`tr[data-shard="${target!.shardId}"]`).waitFor();
  await expect(ops.getByTestId("ops-updated").textContent()).resolves.toMatch(/live · updated/);
  // The room's writes show in the hottest rooms.
  await ops
    .getByRole("rowheader", { name: `room ${room.id}`, exact: true })
    .first()
    .waitFor();

  // Record every state the page shows for this room's move.
  await ops.evaluate((roomId) => {
    const seen: string[] = [];
    (window as unknown as { seenStates: string[] }).seenStates = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll(`tr[data-room="${roomId}"]`)) {
        const st = (el as HTMLElement).dataset.state ?? "";
        if (seen.at(-1) !== st) seen.push(st);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  }, room.id);

  // Start the move from the page while the member keeps sending.
  await ops.getByLabel("Room id").fill(String(room.id));
  await ops.getByLabel("To shard").selectOption(String(target!.shardId));
  await ops.getByRole("button", { name: "Move room" }).click();
  await ops.getByText(/Move \d+ started\./).waitFor();
  const box = chat.getByRole("textbox", { name: /^Message busy/ });
  for (let i = 1; i <= 5; i++) {
    await box.fill(`during the move ${i}`);
    await box.press("Enter");
  }

  const done = ops.getByTestId("moves-done").locator(`tr[data-room="${room.id}"]`);
  await done.and(ops.locator('[data-state="Done"]')).waitFor({ timeout: 60_000 });
  await expect(done.getByTestId("write-pause").textContent()).resolves.toMatch(/^\d+ ms$/);
  await expect(done.textContent()).resolves.toContain(`${before.shardId} → ${target!.shardId}`);
  const seen = await ops.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates);
  expect(seen.at(-1)).toBe("Done");
  await screenshot(ops, "operations", true);

  // The directory moved, and the member's conversation carried on: every message sent
  // during the move is there once, with no gap, and a message after it arrives live.
  expect((await admin<{ shardId: number }>("GET", `/admin/rooms/${room.id}`)).shardId).toBe(target!.shardId);
  for (let i = 1; i <= 5; i++)
    await chat.getByTestId("timeline").getByText(`during the move ${i}`, { exact: true }).waitFor();
  await rest(base, c.accessToken, "POST", `/v1/rooms/${room.id}/messages`, { body: "after the move" });
  await chat.getByTestId("timeline").getByText("after the move", { exact: true }).waitFor();
  const seqs = await shownSeqs(chat);
  expect(new Set(seqs).size).toBe(seqs.length);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
  expect(await chat.locator("[data-testid=pending]").count()).toBe(0);
  expect(opsErrors).toEqual([]);
  console.log(
    `room ${room.id} moved ${before.shardId} → ${target!.shardId}; states seen on the page: ${seen.join(" → ")}`,
  );
  await chatCtx.close();
  await opsCtx.close();
});
