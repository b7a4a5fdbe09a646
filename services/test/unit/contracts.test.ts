// The wire contracts sit on the bottom floor (issue 14): src/contracts/ imports nothing of
// the app, the outbox producer is typed by event type, and the client-facing contract
// resolves under the name services/package.json exports.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClientToServerEvents, MessageDto } from "@chatcluster/services/protocol";
import { describe, expect, it } from "vitest";
import { writeOutbox } from "../../src/db/outbox.js";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

const importsOf = (file: string): string[] =>
  [
    ...readFileSync(file, "utf8").matchAll(/(?:^|\n)\s*(?:import|export)[^"';]*?from\s+["']([^"']+)["']/g),
  ].map((m) => m[1] as string);

describe("wire contracts", () => {
  it("src/contracts imports nothing of the app (only zod and its own files)", () => {
    const dir = join(SRC, "contracts");
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    expect(files.sort()).toEqual(["events.ts", "inputs.ts", "protocol.ts", "rest.ts"]);
    for (const f of files) {
      for (const spec of importsOf(join(dir, f))) {
        expect(spec === "zod" || /^\.\/[a-z-]+\.js$/.test(spec), `${f} imports ${spec}`).toBe(true);
      }
    }
  });

  it("nothing in services imports the old contract paths or reaches up into realtime/ for types", () => {
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".ts") ? [join(d, e.name)] : [],
      );
    for (const file of walk(SRC)) {
      const rel = file.slice(SRC.length + 1);
      for (const spec of importsOf(file)) {
        expect(
          /realtime\/protocol\.js$|pipeline\/events\.js$|^\.\.?\/events\.js$/.test(spec),
          `${rel}: ${spec}`,
        ).toBe(false);
        // Only the app wiring and realtime itself may import realtime/; only http/ (and app) imports http/.
        if (/\/realtime\//.test(spec) && !rel.startsWith("realtime/")) expect(rel, spec).toBe("app.ts");
        if (/\/http\//.test(spec) && !rel.startsWith("http/")) expect(rel, spec).toBe("app.ts");
      }
    }
  });

  it("the outbox producer refuses unknown event types and mismatched payloads at compile time", () => {
    const conn = { query: async () => [{}] } as unknown as Parameters<typeof writeOutbox>[0];
    const typed = async () => {
      await writeOutbox(conn, 1, "member.joined", { roomId: 1, userId: 2, role: "member" });
      // @ts-expect-error — a typo in the event type does not compile
      await writeOutbox(conn, 1, "member.jioned", { roomId: 1, userId: 2, role: "member" });
      // @ts-expect-error — nor does a payload of another type
      await writeOutbox(conn, 1, "member.joined", { roomId: 1, seq: 3 });
    };
    expect(typed).toBeTypeOf("function");
  });

  it("@chatcluster/services/protocol is the client-facing contract", () => {
    const pkg = JSON.parse(readFileSync(join(SRC, "../package.json"), "utf8"));
    expect(pkg.exports["./protocol"]).toMatchObject({ types: "./dist/contracts/protocol.d.ts" });
    // Type-level: the import above resolves (tsc -p services/test) and carries the event maps.
    const sample: Pick<MessageDto, "id"> = { id: "1:1" };
    const events: (keyof ClientToServerEvents)[] = ["message:send", "sync"];
    expect([sample.id, ...events]).toEqual(["1:1", "message:send", "sync"]);
  });
});
