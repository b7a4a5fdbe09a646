// Writes docs/events/<type>.v1.schema.json from the zod schemas in src/contracts/events.ts.
// Run: npx tsx services/scripts/gen-event-schemas.ts (a unit test fails when they drift).
import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { eventJsonSchemas } from "../src/contracts/events.js";

const dir = resolve(dirname(fileURLToPath(import.meta.url)), "../../docs/events");
for (const [name, schema] of Object.entries(eventJsonSchemas())) {
  writeFileSync(resolve(dir, `${name}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote docs/events/${name}.schema.json`);
}
