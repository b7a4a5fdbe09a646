// Builds the OpenAPI 3.1 document from the route registry. Schemas come from the
// same zod objects that validate requests (zod's JSON Schema output is 2020-12,
// which is what OpenAPI 3.1 uses).
import { z } from "zod";
import { ERROR_CATALOG, type ErrorCode } from "../errors.js";
import type { RouteDoc } from "./api.js";

type Json = Record<string, unknown>;

const toSchema = (s: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Json;
  return rest;
};

export const toOpenApiPath = (expressPath: string): string =>
  expressPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

function parameters(doc: RouteDoc): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [
    ["path", doc.params],
    ["query", doc.query],
  ] as const) {
    if (!schema) continue;
    const js = toSchema(schema) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === "path" || (js.required ?? []).includes(name),
        schema: prop,
      });
    }
  }
  return out;
}

export function buildOpenApi(docs: readonly RouteDoc[], info: { version: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const d of docs) {
    const p = toOpenApiPath(d.path);
    paths[p] ??= {};
    const responses: Record<string, Json> = {};
    const ok: Json = { description: d.response.description };
    if (d.response.schema)
      ok.content = {
        [d.response.contentType ?? "application/json"]: { schema: toSchema(d.response.schema) },
      };
    else if (d.response.contentType)
      ok.content = { [d.response.contentType]: { schema: { type: "string" } } };
    responses[String(d.response.status)] = ok;
    for (const a of d.response.also ?? [])
      responses[String(a.status)] = { ...ok, description: a.description };
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of d.errors) {
      const st = ERROR_CATALOG[code].status;
      byStatus.set(st, [...(byStatus.get(st) ?? []), code]);
    }
    for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      responses[String(status)] = {
        description: codes.join(", "),
        content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
      };
    }
    const op: Json = {
      operationId: `${d.method}${p.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
      summary: d.summary,
      tags: [d.tag],
      parameters: parameters(d),
      responses,
    };
    if (d.auth === "user") op.security = [{ bearerAuth: [] }];
    if (d.auth === "admin") op.security = [{ adminToken: [] }];
    if (d.auth === "none") op.security = [];
    if (d.body)
      op.requestBody = { required: true, content: { "application/json": { schema: toSchema(d.body) } } };
    paths[p][d.method] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "ChatCluster API",
      version: info.version,
      description:
        "REST API of the ChatCluster chat platform. Errors are RFC 9457 problem+json with a stable `code`. " +
        "Realtime events are served over socket.io on the same port (see the walkthrough).",
    },
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        adminToken: { type: "http", scheme: "bearer", description: "CHAT_ADMIN_TOKEN" },
      },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status", "code", "detail"],
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            code: { type: "string", enum: Object.keys(ERROR_CATALOG) },
            detail: { type: "string" },
            instance: { type: "string" },
            retryAfterSeconds: {
              type: "integer",
              description: "On 429 and 503: when to retry (also Retry-After)",
            },
            issues: {
              type: "array",
              items: {
                type: "object",
                properties: { path: { type: "string" }, message: { type: "string" } },
              },
            },
          },
        },
      },
    },
  };
}
