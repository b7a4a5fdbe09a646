// Only members can open a private room: a non-member who has its URL sees a clear
// "not found" (the server does not even confirm it exists) and none of its messages.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  context,
  launch,
  platform,
  register,
  rest,
  signedInPage,
  uniqueName,
  watchErrors,
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

it("a non-member cannot open a private room by URL", async () => {
  const owner = await register(base, "owner");
  const outsider = await register(base, "outsider");
  const name = `secret ${uniqueName("p")}`;
  const room = await rest<{ id: number }>(base, owner.accessToken, "POST", "/v1/rooms", {
    kind: "private",
    name,
  });
  await rest(base, owner.accessToken, "POST", `/v1/rooms/${room.id}/messages`, {
    body: "the launch code is 0000",
  });

  const ctx = await context(browser, base);
  const page = await signedInPage(ctx, outsider, `/rooms/${room.id}`);
  const errors = watchErrors(page);
  await page.getByTestId("room-error").waitFor();
  await expect(page.getByRole("alert").textContent()).resolves.toMatch(/not found/i);
  expect(await page.getByText("the launch code").count()).toBe(0);
  expect(await page.getByText(name).count()).toBe(0);
  // Not in the public directory either.
  await page.getByRole("button", { name: "Browse" }).click();
  await page
    .getByRole("dialog", { name: "Public rooms" })
    .getByText(/members|No public rooms/)
    .first()
    .waitFor();
  expect(await page.getByRole("dialog").getByText(name).count()).toBe(0);
  expect(errors).toEqual([]);

  // Once invited from the owner's members panel, the same URL opens.
  const ownerCtx = await context(browser, base);
  const ownerPage = await signedInPage(ownerCtx, owner, `/rooms/${room.id}`);
  // Muting is remembered by the server.
  await ownerPage.getByRole("button", { name: "Mute" }).click();
  await ownerPage.getByRole("button", { name: "Muted", pressed: true }).waitFor();
  await ownerPage.reload();
  await ownerPage.getByRole("button", { name: "Muted", pressed: true }).waitFor();
  await ownerPage.getByRole("button", { name: /Members \(1\)/ }).click();
  await ownerPage.getByRole("button", { name: "Invite people" }).click();
  await ownerPage.getByRole("textbox", { name: "Invite someone" }).fill(outsider.username);
  await ownerPage.getByRole("button", { name: `Invite ${outsider.username}` }).click();
  await ownerPage
    .getByRole("complementary", { name: "Members" })
    .getByText(`@${outsider.username} · member`)
    .waitFor();
  // The invitee's room list gains the room live (room:added), and the URL now opens.
  await page.keyboard.press("Escape");
  await page.locator(`[data-room-id="${room.id}"]`).waitFor();
  await page.goto(`/rooms/${room.id}`);
  await page.getByTestId("timeline").getByText("the launch code is 0000").waitFor();
  // The owner renames the room and sets a topic; the member sees both live.
  const renamed = `${name} (launch)`;
  await ownerPage.getByRole("textbox", { name: "Room name" }).fill(renamed);
  await ownerPage.getByRole("textbox", { name: "Topic" }).fill("T-minus 10");
  await ownerPage.getByRole("button", { name: "Save room settings" }).click();
  await page.getByRole("heading", { name: renamed }).waitFor();
  await page.getByText("T-minus 10").first().waitFor();
  await ctx.close();
  await ownerCtx.close();
});

it("opens a direct message from the people finder and leaves a room", async () => {
  const a = await register(base, "dm_a");
  const b = await register(base, "dm_b");
  const room = await rest<{ id: number }>(base, a.accessToken, "POST", "/v1/rooms", {
    kind: "public",
    name: `leaving ${uniqueName("l")}`,
  });
  const aCtx = await context(browser, base);
  const aPage = await signedInPage(aCtx, a);
  const bCtx = await context(browser, base);
  const bPage = await signedInPage(bCtx, b);

  await aPage.getByRole("button", { name: "+ Direct" }).click();
  await aPage.getByRole("textbox", { name: "Find a person" }).fill(b.username);
  await aPage.getByRole("button", { name: `Message ${b.username}` }).click();
  await aPage.waitForURL(/\/rooms\/\d+$/);
  await aPage.getByRole("heading", { name: b.username }).waitFor();
  await aPage.getByTestId("dm-presence").getByText("online").waitFor(); // B has the app open
  // B's tab goes to the background: away; back: online.
  const setHidden = (hidden: boolean) =>
    bPage.evaluate((h) => {
      Object.defineProperty(document, "visibilityState", {
        value: h ? "hidden" : "visible",
        configurable: true,
      });
      document.dispatchEvent(new Event("visibilitychange"));
    }, hidden);
  await setHidden(true);
  await aPage.getByTestId("dm-presence").getByText("away").waitFor();
  await setHidden(false);
  await aPage.getByTestId("dm-presence").getByText("online").waitFor();
  const box = aPage.getByRole("textbox", { name: `Message ${b.username}` });
  await box.fill("got a minute?");
  await box.press("Enter");
  // B's list gains the direct room live, named after A, with one unread message.
  const dmId = /\/rooms\/(\d+)/.exec(aPage.url())![1];
  const item = bPage.locator(`[data-room-id="${dmId}"]`);
  await item.locator(".room-name").getByText(a.username).waitFor();
  await item.getByText("1 unread").waitFor();
  await item.click();
  await bPage.getByTestId("timeline").getByText("got a minute?").waitFor();
  await bPage.locator(`[data-room-id="${dmId}"]`).getByText("1 unread").waitFor({ state: "detached" });

  // B joins A's public room by URL, then leaves it from the members panel.
  await bPage.goto(`/rooms/${room.id}`);
  await bPage.getByRole("button", { name: "Join room" }).click();
  await bPage.locator(`[data-room-id="${room.id}"]`).waitFor();
  await bPage.getByRole("button", { name: /Members \(2\)/ }).click();
  await bPage.getByRole("button", { name: "Leave room" }).click();
  await bPage.waitForURL(/\/$/);
  await bPage.locator(`[data-room-id="${room.id}"]`).waitFor({ state: "detached" });
  await aCtx.close();
  await bCtx.close();
});
