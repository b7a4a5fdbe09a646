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
  await ctx.close();
  await ownerCtx.close();
});
