// Two people chat live in two browser contexts; one goes offline while the other keeps
// sending, comes back, and catches up through sync with no gap and no duplicate.
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
beforeAll(async () => {
  base = (await platform()).url;
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

it("signs up through the form, chats live, and catches up after going offline", async () => {
  // Alice signs up through the form.
  const aliceCtx = await context(browser, base);
  const alice = await aliceCtx.newPage();
  const aliceErrors = watchErrors(alice);
  await alice.goto("/");
  await alice.getByRole("button", { name: "New here? Create an account" }).click();
  const aliceName = uniqueName("alice");
  await alice.getByLabel("Username").fill(aliceName);
  await alice.getByLabel("Password").fill("correct horse battery staple");
  await alice.getByRole("button", { name: "Create account" }).click();
  await alice.getByTestId("connection").and(alice.locator('[data-state="online"]')).waitFor();

  // A wrong password shows the server's problem+json message.
  const probeCtx = await context(browser, base);
  const probe = await probeCtx.newPage();
  await probe.goto("/");
  await probe.getByLabel("Username").fill(aliceName);
  await probe.getByLabel("Password").fill("not the password at all");
  await probe.getByRole("button", { name: "Sign in" }).click();
  await expect(probe.getByRole("alert").textContent()).resolves.toMatch(/password/i);
  await probeCtx.close();

  // Alice creates a public room from the UI.
  const roomName = `team ${uniqueName("r")}`;
  await alice.getByRole("button", { name: "+ New room" }).click();
  await alice.getByLabel("Name").fill(roomName);
  await alice.getByLabel("Topic (optional)").fill("release planning");
  await alice.getByRole("button", { name: "Create room" }).click();
  await alice.waitForURL(/\/rooms\/\d+$/);
  const roomId = Number(/\/rooms\/(\d+)/.exec(alice.url())![1]);

  // Bob, a returning user, finds it under Browse and joins.
  const bob = await register(base, "bob");
  const bobCtx = await context(browser, base);
  const bobPage = await signedInPage(bobCtx, bob);
  const bobErrors = watchErrors(bobPage);
  await bobPage.getByRole("button", { name: "Browse" }).click();
  await bobPage.getByRole("searchbox", { name: "Filter by name" }).fill(roomName);
  const row = bobPage.getByRole("listitem").filter({ hasText: roomName });
  await row.getByRole("button", { name: "Join" }).click();
  await bobPage.waitForURL(`**/rooms/${roomId}`);

  // Live both ways, typing indicator included.
  const aliceBox = alice.getByRole("textbox", { name: `Message ${roomName}` });
  await aliceBox.pressSequentially("hello bob");
  await bobPage.getByTestId("typing").getByText(`${aliceName} is typing…`).waitFor();
  await aliceBox.press("Enter");
  await bobPage.getByTestId("timeline").getByText("hello bob").waitFor();
  // Bob's read marker follows what he sees; Alice sees it live.
  await alice.getByTestId("typing").getByText(`Seen by ${bob.username}`).waitFor();
  const bobBox = bobPage.getByRole("textbox", { name: `Message ${roomName}` });
  await bobBox.fill(`hi @${aliceName}, 안녕하세요 👋`);
  await bobBox.press("Enter");
  await alice.getByTestId("timeline").getByText("안녕하세요 👋").waitFor();
  await alice.locator("mark.mention.me").first().waitFor();

  // Alice reacts; Bob sees the count. Alice edits; Bob sees the edit.
  const aliceMsg = alice.getByTestId("message").filter({ hasText: "hello bob" });
  await aliceMsg.hover();
  await aliceMsg.getByRole("button", { name: "Add reaction" }).click();
  await aliceMsg.getByRole("button", { name: "React 🎉" }).click();
  await bobPage
    .getByTestId("message")
    .filter({ hasText: "hello bob" })
    .getByRole("button", { name: "🎉 1, react" })
    .waitFor();
  await aliceMsg.hover();
  await aliceMsg.getByRole("button", { name: "Edit message" }).click();
  await alice.getByRole("textbox", { name: "Edit message" }).fill("hello bob, welcome");
  await alice.getByRole("button", { name: "Save" }).click();
  await bobPage
    .getByTestId("message")
    .filter({ hasText: "hello bob, welcome" })
    .getByText("(edited)")
    .waitFor();

  // Bob's room list shows the last message; read marker keeps it at zero unread while open.
  await expect(bobPage.locator(`[data-room-id="${roomId}"] .preview`).textContent()).resolves.toContain(
    "안녕하세요",
  );

  // Alice sends a message by mistake and deletes it: Bob sees the tombstone, not the text.
  await aliceBox.fill("oops, wrong room");
  await aliceBox.press("Enter");
  await bobPage.getByTestId("timeline").getByText("oops, wrong room").waitFor();
  const oops = alice.getByTestId("message").filter({ hasText: "oops, wrong room" });
  await oops.hover();
  alice.once("dialog", (d) => void d.accept());
  await oops.getByRole("button", { name: "Delete message" }).click();
  await bobPage.getByTestId("timeline").getByText("This message was deleted.").waitFor();
  expect(await bobPage.getByText("oops, wrong room").count()).toBe(0);
  await screenshot(bobPage, "chat-live");

  // Alice looks elsewhere; Bob mentions her: unread count in her room list, a notification,
  // and the notification jumps to the message.
  await alice.getByRole("link", { name: "ChatCluster" }).click();
  // Bob picks the mention from the suggestions with the keyboard.
  await bobBox.fill("");
  await bobBox.pressSequentially(`@${aliceName.slice(0, 4)}`);
  await bobPage.getByRole("option", { name: new RegExp(`@${aliceName}`) }).waitFor();
  await bobBox.press("Enter");
  await expect(bobBox.inputValue()).resolves.toBe(`@${aliceName} `);
  await bobBox.pressSequentially("can you review the plan?");
  await bobBox.press("Enter");
  await alice.locator(`[data-room-id="${roomId}"]`).getByText("1 unread").waitFor();
  await expect(alice.title()).resolves.toBe("(1) ChatCluster");
  await alice.getByRole("button", { name: /Notifications, [1-9]\d* unread/ }).click();
  await alice
    .getByRole("complementary", { name: "Notifications" })
    .getByText("can you review the plan?")
    .click();
  await alice.waitForURL(/\/rooms\/\d+\?m=\d+$/);
  await alice.locator(".msg.highlight").getByText("can you review the plan?").waitFor();
  await alice.getByRole("button", { name: "Notifications, 0 unread" }).waitFor();

  // Bob goes offline (the browser's network, and the socket with it).
  await bobCtx.setOffline(true);
  await bobPage.getByTestId("connection").and(bobPage.locator('[data-state="reconnecting"]')).waitFor();
  const syncsBefore = Number(await bobPage.getByTestId("connection").getAttribute("data-syncs"));

  // Alice keeps sending while Bob is away: 5 from the UI, 60 more through the API.
  for (let i = 1; i <= 5; i++) {
    await aliceBox.fill(`while you were away ${i}`);
    await aliceBox.press("Enter");
  }
  const session = await rest<{ accessToken: string }>(base, "", "POST", "/v1/auth/login", {
    username: aliceName,
    password: "correct horse battery staple",
  });
  for (let i = 6; i <= 65; i++) {
    await rest(base, session.accessToken, "POST", `/v1/rooms/${roomId}/messages`, {
      body: `while you were away ${i}`,
      clientMsgId: `away-${i}`,
    });
  }
  await alice.getByTestId("timeline").getByText("while you were away 65", { exact: true }).waitFor();
  // Bob saw none of it.
  expect(await bobPage.getByText("while you were away 1", { exact: true }).count()).toBe(0);

  // Bob writes while offline: shown as pending, delivered once he is back.
  await bobBox.fill("written on the train");
  await bobBox.press("Enter");
  await bobPage.getByTestId("pending").getByText("written on the train").waitFor();

  // Bob comes back: the client reconnects and syncs.
  await bobCtx.setOffline(false);
  await bobPage
    .getByTestId("connection")
    .and(bobPage.locator('[data-state="online"]'))
    .waitFor({ timeout: 30_000 });
  await bobPage.getByTestId("timeline").getByText("while you were away 65", { exact: true }).waitFor();
  await alice.getByTestId("timeline").getByText("written on the train").waitFor();
  await bobPage.getByTestId("message").getByText("written on the train").waitFor();
  expect(await bobPage.getByTestId("pending").count()).toBe(0);
  const seqs = await shownSeqs(bobPage);
  const aliceSeqs = await shownSeqs(alice);
  expect(new Set(seqs).size).toBe(seqs.length); // no duplicate
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1); // no gap
  expect(seqs).toEqual(aliceSeqs);
  for (let i = 1; i <= 65; i++)
    expect(await bobPage.getByText(`while you were away ${i}`, { exact: true }).count()).toBe(1);
  expect(await alice.getByText("written on the train", { exact: true }).count()).toBe(1);
  expect(Number(await bobPage.getByTestId("connection").getAttribute("data-syncs"))).toBeGreaterThan(
    syncsBefore,
  );

  // Signing out revokes the refresh token: a reload shows the sign-in form again.
  await bobPage.getByRole("button", { name: "Sign out" }).click();
  await bobPage.getByRole("button", { name: "Sign in" }).waitFor();
  await bobPage.reload();
  await bobPage.getByRole("button", { name: "Sign in" }).waitFor();

  expect(aliceErrors).toEqual([]);
  expect(bobErrors.filter((e) => !/ERR_INTERNET_DISCONNECTED|WebSocket/.test(e))).toEqual([]);
  await aliceCtx.close();
  await bobCtx.close();
});
