// Desired-vs-observed comparison: the reason an unchanged cluster's reconcile sends zero writes.
// An object is applied only when (a) the spec hash recorded on it differs from the desired one, or (b)
// some desired field is missing or different in the live object (drift, e.g. someone edited it).
// (a) catches fields removed from the desired object, which a subset test cannot see; (b) catches drift.
import { createHash } from "node:crypto";
import { canonicalJSON } from "../api/codegen.js";
import { SPEC_HASH_ANNOTATION } from "../specs/common.js";
import type { KObject } from "./resources.js";

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

const SUFFIX: Record<string, number> = {
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Parses a Kubernetes quantity ("500m", "1Gi", "0.5", "2") to a number; undefined if it is not one. */
export function parseQuantity(s: string): number | undefined {
  const m = /^([+-]?[0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(s);
  if (!m) return undefined;
  const mult = SUFFIX[m[2] ?? ""];
  return mult === undefined ? undefined : Number(m[1]) * mult;
}

function scalarEqual(d: unknown, o: unknown): boolean {
  if (d === o) return true;
  // The API server canonicalises quantities ("0.5" → "500m", "1024Mi" → "1Gi") and int-or-string.
  if ((typeof d === "string" || typeof d === "number") && (typeof o === "string" || typeof o === "number")) {
    const a = typeof d === "number" ? d : parseQuantity(d);
    const b = typeof o === "number" ? o : parseQuantity(o);
    return a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  }
  return false;
}

/** Every field of desired is present and equal in observed (arrays: same length, element-wise subset). */
export function isSubset(desired: unknown, observed: unknown): boolean {
  if (Array.isArray(desired)) {
    if (!Array.isArray(observed) || observed.length !== desired.length) return false;
    return desired.every((d, i) => isSubset(d, observed[i]));
  }
  if (isObj(desired)) {
    if (!isObj(observed)) return false;
    return Object.entries(desired).every(([k, v]) => {
      if (v === undefined) return true;
      const ov = observed[k];
      // An empty map/list or a false we send may come back omitted (omitempty).
      if (
        ov === undefined &&
        (v === false || (isObj(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0))
      ) {
        return true;
      }
      return isSubset(v, ov);
    });
  }
  return scalarEqual(desired, observed);
}

export function specHash(desired: KObject): string {
  const { annotations: _a, ...meta } = desired.metadata;
  return createHash("sha256")
    .update(canonicalJSON({ ...desired, metadata: meta }))
    .digest("hex")
    .slice(0, 16);
}

/** Stamps the spec hash annotation on a desired object (before applying it). */
export function withSpecHash(desired: KObject): KObject {
  const hash = specHash(desired);
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...desired.metadata.annotations, [SPEC_HASH_ANNOTATION]: hash },
    },
  };
}

/** Does applying `desired` (already stamped by withSpecHash) change anything on `observed`? */
export function needsApply(desired: KObject, observed: KObject | undefined): boolean {
  if (!observed) return true;
  const want = desired.metadata.annotations?.[SPEC_HASH_ANNOTATION];
  if (want === undefined || observed.metadata.annotations?.[SPEC_HASH_ANNOTATION] !== want) return true;
  const { metadata, ...rest } = desired;
  const { name: _n, namespace: _ns, ...metaRest } = metadata;
  return !isSubset({ ...rest, metadata: metaRest }, observed);
}

/** RFC 7386 merge patch turning `from` into `to` (arrays replaced whole; removed keys set to null). */
export function mergePatchDiff(from: unknown, to: unknown): unknown {
  if (!isObj(from) || !isObj(to)) return to === undefined ? null : to;
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const a = from[k];
    const b = to[k];
    if (b === undefined) {
      if (a !== undefined) out[k] = null;
    } else if (a === undefined) {
      out[k] = b;
    } else if (isObj(a) && isObj(b)) {
      const sub = mergePatchDiff(a, b) as Record<string, unknown>;
      if (Object.keys(sub).length > 0) out[k] = sub;
    } else if (canonicalJSON(a) !== canonicalJSON(b)) {
      out[k] = b;
    }
  }
  return out;
}
