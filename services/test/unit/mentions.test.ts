import { describe, expect, it } from "vitest";
import { parseMentions } from "../../src/messages/mentions.js";

describe("parseMentions", () => {
  it("finds usernames, lowercased and unique", () => {
    expect(parseMentions("hi @Alice and @bob, also @alice")).toEqual(["alice", "bob"]);
  });
  it("ignores e-mail addresses and too-short names", () => {
    expect(parseMentions("mail me at joe@example.com or @x")).toEqual([]);
  });
  it("strips trailing punctuation and works next to Korean text", () => {
    expect(parseMentions("고마워요 @kim.minji. 그리고 (@lee_99)")).toEqual(["kim.minji", "lee_99"]);
  });
  it("caps the number of mentions", () => {
    const body = Array.from({ length: 80 }, (_, i) => `@user${i}`).join(" ");
    expect(parseMentions(body)).toHaveLength(50);
  });
});
