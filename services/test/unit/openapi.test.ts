// Every route the express app can answer must be in /openapi.json, and vice versa.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toOpenApiPath } from "../../src/http/openapi.js";
import { listen, stubApp } from "../helpers/stub-http.js";

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function registeredRoutes(stack: Layer[]): string[] {
  const out: string[] = [];
  for (const l of stack) {
    if (l.route) {
      for (const [m, on] of Object.entries(l.route.methods))
        if (on && m !== "_all") out.push(`${m} ${l.route.path}`);
    } else if (l.handle?.stack) {
      out.push(...registeredRoutes(l.handle.stack));
    }
  }
  return out;
}

const { app } = stubApp();
let srv: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  srv = await listen(app);
});
afterAll(() => srv.server.close());

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 and served at /openapi.json", async () => {
    const res = await fetch(`${srv.base}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
  });

  it("documents every registered route and nothing else", async () => {
    const doc = (await (await fetch(`${srv.base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const registered = registeredRoutes((app as unknown as { router: { stack: Layer[] } }).router.stack)
      .map((r) => {
        const [m, p] = r.split(" ");
        return `${m} ${toOpenApiPath(p ?? "")}`;
      })
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
      .sort();
    expect(registered.length).toBeGreaterThan(30);
    expect(documented).toEqual(registered);
  });

  it("gives every operation a summary, responses and a problem schema for errors", async () => {
    const doc = (await (await fetch(`${srv.base}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { summary: string; responses: Record<string, unknown>; operationId: string }>
      >;
    };
    const ids = new Set<string>();
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        expect(op.summary.length).toBeGreaterThan(3);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
      }
    }
  });

  it("declares every path template variable as a required path parameter", async () => {
    const doc = (await (await fetch(`${srv.base}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { parameters: { name: string; in: string; required: boolean }[]; responses: object }>
      >;
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      const vars = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        for (const v of vars) {
          expect(
            op.parameters.some((p) => p.name === v && p.in === "path" && p.required),
            `${method} ${path} {${v}}`,
          ).toBe(true);
        }
      }
    }
  });
});
