// Health, readiness, metrics and the API document: served by every role.
import { z } from "zod";
import type { Api } from "../api.js";
import type { HttpDeps } from "../deps.js";

export function opsRoutes(api: Api, d: HttpDeps, openapi: () => unknown): void {
  api.add({
    method: "get",
    path: "/healthz",
    summary: "Liveness: the process is up",
    tag: "ops",
    auth: "none",
    response: { status: 200, description: "Alive", schema: z.object({ status: z.literal("ok") }) },
    handler: async () => ({ status: "ok" }),
  });

  api.add({
    method: "get",
    path: "/readyz",
    summary: "Readiness: catalog, every shard and Redis answer",
    tag: "ops",
    auth: "none",
    response: {
      status: 200,
      description: "Ready (503 with the same body when not)",
      schema: z.object({ status: z.enum(["ok", "unavailable"]), checks: z.record(z.string(), z.string()) }),
    },
    errors: ["CHAT_NOT_READY"],
    handler: async ({ res }) => {
      const r = await d.readiness();
      res.status(r.ok ? 200 : 503).json({ status: r.ok ? "ok" : "unavailable", checks: r.checks });
    },
  });

  api.add({
    method: "get",
    path: "/metrics",
    summary: "Prometheus metrics",
    tag: "ops",
    auth: "none",
    response: { status: 200, description: "Prometheus text format", contentType: "text/plain" },
    handler: async ({ res }) => {
      res.setHeader("Content-Type", d.metrics.registry.contentType);
      res.status(200).send(await d.metrics.registry.metrics());
    },
  });

  api.add({
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    tag: "ops",
    auth: "none",
    response: { status: 200, description: "OpenAPI 3.1 document", contentType: "application/json" },
    handler: async () => openapi(),
  });
}
