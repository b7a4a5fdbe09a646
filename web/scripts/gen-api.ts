// Regenerates web/src/api/schema.d.ts from the platform's OpenAPI document.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { generateSchemaTs, SCHEMA_FILE } from "./openapi.js";

await writeFile(SCHEMA_FILE, await generateSchemaTs());
console.log(`wrote ${fileURLToPath(SCHEMA_FILE)}`);
