import { describe, expect, it } from "vitest";
import { SPEC_HASH_ANNOTATION } from "../specs/common.js";
import { isSubset, mergePatchDiff, needsApply, parseQuantity, specHash, withSpecHash } from "./compare.js";
import type { KObject } from "./resources.js";

const cm = (data: Record<string, string>): KObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "x", namespace: "n", labels: { a: "1" } },
  data,
});

describe("parseQuantity", () => {
  it("parses decimal and binary suffixes", () => {
    expect(parseQuantity("500m")).toBeCloseTo(0.5);
    expect(parseQuantity("1Gi")).toBe(2 ** 30);
    expect(parseQuantity("1024Mi")).toBe(2 ** 30);
    expect(parseQuantity("2")).toBe(2);
    expect(parseQuantity("abc")).toBeUndefined();
  });
});

describe("isSubset", () => {
  it("ignores fields the server added", () => {
    expect(isSubset({ a: 1, b: { c: "x" } }, { a: 1, b: { c: "x", d: 2 }, e: 3 })).toBe(true);
  });
  it("detects changed and missing fields", () => {
    expect(isSubset({ a: 1 }, { a: 2 })).toBe(false);
    expect(isSubset({ a: { b: 1 } }, { a: {} })).toBe(false);
  });
  it("compares arrays element-wise and by length", () => {
    expect(isSubset([{ a: 1 }], [{ a: 1, b: 2 }])).toBe(true);
    expect(isSubset([{ a: 1 }], [{ a: 1 }, { a: 2 }])).toBe(false);
  });
  it("treats canonicalised quantities as equal", () => {
    expect(isSubset({ cpu: "0.5", mem: "1024Mi" }, { cpu: "500m", mem: "1Gi" })).toBe(true);
    expect(isSubset({ cpu: "1" }, { cpu: "2" })).toBe(false);
  });
  it("accepts an omitted empty map", () => {
    expect(isSubset({ emptyDir: {} }, {})).toBe(true);
  });
});

describe("needsApply", () => {
  const desired = withSpecHash(cm({ k: "v" }));
  it("is true when absent", () => expect(needsApply(desired, undefined)).toBe(true));
  it("is false when the live object has the same hash and fields", () => {
    const live = structuredClone(desired);
    live.metadata.uid = "u";
    live.metadata.resourceVersion = "7";
    expect(needsApply(desired, live)).toBe(false);
  });
  it("is true on drift even with the same hash", () => {
    const live = structuredClone(desired);
    live.data = { k: "edited" };
    expect(needsApply(desired, live)).toBe(true);
  });
  it("is true when a field was removed from the desired object (hash changes)", () => {
    const live = withSpecHash(cm({ k: "v", old: "x" }));
    expect(needsApply(desired, live)).toBe(true);
  });
  it("hash ignores annotations and is stable under key order", () => {
    const a = cm({ x: "1", y: "2" });
    const b = cm({ y: "2", x: "1" });
    expect(specHash(a)).toBe(specHash(b));
    expect(withSpecHash(a).metadata.annotations?.[SPEC_HASH_ANNOTATION]).toBe(specHash(a));
  });
});

describe("mergePatchDiff", () => {
  it("produces only the changes, null for removals, whole arrays", () => {
    expect(
      mergePatchDiff({ a: 1, b: { c: 1, d: 2 }, l: [1] }, { a: 1, b: { c: 2 }, l: [1, 2], n: "x" }),
    ).toEqual({
      b: { c: 2, d: null },
      l: [1, 2],
      n: "x",
    });
  });
  it("is empty when nothing changed", () => {
    expect(mergePatchDiff({ a: [{ x: 1 }] }, { a: [{ x: 1 }] })).toEqual({});
  });
});
