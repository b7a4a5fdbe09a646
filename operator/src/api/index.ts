// The ChatCluster API as the operator sees it: generated types, structural defaulting from the CRD
// schema (the same defaults the API server applies) and the derived values every builder shares.
import type { JSONSchema } from "./codegen.js";
import {
  API_VERSION,
  type ChatCluster,
  type ChatClusterSpecMysqlResources,
  type ChatClusterSpecRolesGateway,
  schema,
} from "./types.generated.js";

export * from "./types.generated.js";

export type RoleName = "gateway" | "realtime" | "worker";
export const ROLES: readonly RoleName[] = ["gateway", "realtime", "worker"];
/** Every role has the same shape (the CRD uses one definition for the three). */
export type RoleSpec = ChatClusterSpecRolesGateway;
export type Resources = ChatClusterSpecMysqlResources;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Structural defaulting as the API server does it: a default applies where the parent exists, then recurses. */
export function applyDefaults(s: JSONSchema, value: unknown): unknown {
  if (Array.isArray(value)) {
    return s.items ? value.map((v) => applyDefaults(s.items as JSONSchema, v)) : value;
  }
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    if (out[k] === undefined && ps.default !== undefined) out[k] = structuredClone(ps.default);
    if (out[k] !== undefined) out[k] = applyDefaults(ps, out[k]);
  }
  if (isObject(s.additionalProperties)) {
    const ap = s.additionalProperties as JSONSchema;
    for (const k of Object.keys(out)) {
      if (!s.properties?.[k]) out[k] = applyDefaults(ap, out[k]);
    }
  }
  return out;
}

/** A ChatCluster with every schema default filled in (what the API server returns). */
export function withDefaults(obj: { metadata?: unknown; spec?: unknown; status?: unknown }): ChatCluster {
  const o = structuredClone(obj) as Record<string, unknown>;
  o.spec ??= {};
  return applyDefaults(schema as unknown as JSONSchema, o) as unknown as ChatCluster;
}

/** The shard count the operator runs: the spec's, raised by the rebalancer's request, capped at maxShards. */
export function effectiveShards(cc: ChatCluster): number {
  const asked = cc.status?.rebalance?.desiredShards ?? 0;
  return Math.min(Math.max(cc.spec.mysql.shards, asked), cc.spec.mysql.maxShards);
}

export const kafkaManaged = (cc: ChatCluster): boolean => cc.spec.kafka.external === undefined;
export const redisManaged = (cc: ChatCluster): boolean => cc.spec.redis.external === undefined;

export function clusterKey(cc: { metadata: { namespace?: string; name?: string } }): string {
  return `${cc.metadata.namespace ?? ""}/${cc.metadata.name ?? ""}`;
}

export { API_VERSION };
