import { describe, expect, it } from "vitest";
import { fragment, indexTerms, matches, parseQuery, tokenize } from "../../src/search/ngram.js";

describe("n-gram terms", () => {
  it("indexes Korean by bigrams, trigrams and whole words", () => {
    const terms = indexTerms("안녕하세요 여러분");
    expect(terms).toEqual(
      expect.arrayContaining([
        "w:안녕하세요",
        "w:여러분",
        "2:안녕",
        "2:여러",
        "2:러분",
        "3:안녕하",
        "3:하세요",
        "3:여러분",
      ]),
    );
    // No n-gram crosses a space.
    expect(terms).not.toContain("2:요여");
  });

  it("normalizes case and compatibility forms", () => {
    expect(tokenize("Ｈｅｌｌｏ WORLD, café!")).toEqual(["hello", "world", "café"]);
  });

  it("looks up a query by trigrams, bigrams or whole single characters", () => {
    expect(parseQuery("여러분")?.terms).toEqual(["3:여러분"]);
    expect(parseQuery("안녕")?.terms).toEqual(["2:안녕"]);
    expect(parseQuery("Kubernetes")?.terms).toContain("3:ber");
    expect(parseQuery("I")?.terms).toEqual(["w:i"]);
    expect(parseQuery("  !! ")).toBeNull();
  });

  it("verifies a real substring (trigrams alone can match out of order)", () => {
    const q = parseQuery("abcd");
    if (!q) throw new Error("parse");
    // "abcXbcd" has the trigrams abc and bcd but not the substring abcd.
    expect(matches("abcXbcd", q)).toBe(false);
    expect(matches("xxABCDyy", q)).toBe(true);
    const one = parseQuery("a");
    if (!one) throw new Error("parse");
    expect(matches("a cat", one)).toBe(true);
    expect(matches("cat", one)).toBe(false);
  });

  it("cuts a fragment around the first match and marks every match", () => {
    const q = parseQuery("여러분");
    if (!q) throw new Error("parse");
    expect(fragment("안녕하세요 여러분", q)).toEqual({
      text: "안녕하세요 여러분",
      highlights: [{ start: 6, length: 3 }],
    });
    const long = `${"x".repeat(100)} needle ${"y".repeat(100)}`;
    const n = parseQuery("needle");
    if (!n) throw new Error("parse");
    const f = fragment(long, n, 10);
    expect(f.text.startsWith("…")).toBe(true);
    expect(f.text.endsWith("…")).toBe(true);
    const h = f.highlights[0];
    expect(h && f.text.slice(h.start, h.start + h.length)).toBe("needle");
  });

  it("never splits a surrogate pair", () => {
    const q = parseQuery("needle");
    if (!q) throw new Error("parse");
    const f = fragment(`${"😀".repeat(30)} needle`, q, 5);
    expect(f.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(f.text).not.toMatch(/(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});
