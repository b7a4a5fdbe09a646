// Writes src/api/types.generated.ts from crds/chatcluster.yaml, then formats it with biome.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateTypes } from "./codegen.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const out = resolve(here, "types.generated.ts");
writeFileSync(out, generateTypes(readFileSync(resolve(repo, "crds/chatcluster.yaml"), "utf8")));
execFileSync(resolve(repo, "node_modules/.bin/biome"), ["format", "--write", out], { stdio: "inherit" });
console.log(`wrote ${out}`);
