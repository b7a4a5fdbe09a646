// The client's REST types are generated from the server's OpenAPI document; this fails
// when a route changed and `npm run gen:api -w web` was not run.
import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { generateSchemaTs, SCHEMA_FILE } from "../../scripts/openapi.js";

it("web/src/api/schema.d.ts matches the server's OpenAPI document", async () => {
  const committed = await readFile(SCHEMA_FILE, "utf8");
  const fresh = await generateSchemaTs();
  expect(
    committed === fresh,
    "REST types are stale: run `npm run gen:api -w web` and commit the result",
  ).toBe(true);
});
