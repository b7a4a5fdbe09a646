// Generates the TypeScript types of the ChatCluster API from crds/chatcluster.yaml (the source of truth).
// Pure: CRD text in, TypeScript text out. The CLI (codegen-cli.ts) writes types.generated.ts and formats it.
import { createHash } from "node:crypto";
import { load } from "js-yaml";

export interface JSONSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JSONSchema>;
  additionalProperties?: JSONSchema | boolean;
  items?: JSONSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  [k: string]: unknown;
}

interface CRDDoc {
  spec: {
    group: string;
    names: { kind: string; plural: string; shortNames?: string[] };
    versions: { name: string; storage?: boolean; schema: { openAPIV3Schema: JSONSchema } }[];
  };
}

export interface CRDInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  schema: JSONSchema;
}

export function parseCRD(text: string): CRDInfo {
  const doc = load(text) as CRDDoc;
  const v = doc.spec.versions.find((x) => x.storage) ?? doc.spec.versions[0];
  if (!v) throw new Error("CRD has no versions");
  return {
    group: doc.spec.group,
    version: v.name,
    kind: doc.spec.names.kind,
    plural: doc.spec.names.plural,
    schema: v.schema.openAPIV3Schema,
  };
}

/** Stable hash of the schema: the generated file records it so a unit test can detect drift. */
export function schemaHash(schema: JSONSchema): string {
  return createHash("sha256").update(canonicalJSON(schema)).digest("hex");
}

export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const singular = (s: string) => (s.endsWith("ses") ? s.slice(0, -2) : s.endsWith("s") ? s.slice(0, -1) : s);

class Emitter {
  readonly decls: string[] = [];

  typeOf(s: JSONSchema, name: string): string {
    if (s["x-kubernetes-int-or-string"]) return "number | string";
    if (s.enum) return s.enum.map((e) => JSON.stringify(e)).join(" | ");
    switch (s.type) {
      case "string":
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "array":
        return s.items ? `${this.wrap(this.typeOf(s.items, singular(name)))}[]` : "unknown[]";
      case "object": {
        if (s.properties && Object.keys(s.properties).length > 0) {
          this.emitInterface(name, s);
          return name;
        }
        if (s.additionalProperties && typeof s.additionalProperties === "object") {
          return `Record<string, ${this.typeOf(s.additionalProperties, `${name}Value`)}>`;
        }
        return "Record<string, unknown>";
      }
      default:
        return "unknown";
    }
  }

  wrap(t: string): string {
    return t.includes("|") ? `(${t})` : t;
  }

  emitInterface(name: string, s: JSONSchema): void {
    const req = new Set(s.required ?? []);
    const lines: string[] = [];
    if (s.description) lines.push(`/** ${s.description.replace(/\*\//g, "*\\/")} */`);
    lines.push(`export interface ${name} {`);
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      const t = this.typeOf(prop, name + pascal(key));
      // A field is always present when required, or when it has a default: the API server fills
      // defaults whenever the parent object exists (and applyDefaults does the same in tests).
      const optional = !(req.has(key) || prop.default !== undefined);
      if (prop.description) lines.push(`  /** ${prop.description.replace(/\*\//g, "*\\/")} */`);
      lines.push(`  ${key}${optional ? "?" : ""}: ${t};`);
    }
    lines.push("}");
    this.decls.push(lines.join("\n"));
  }
}

export function generateTypes(crdText: string): string {
  const crd = parseCRD(crdText);
  const props = crd.schema.properties ?? {};
  const e = new Emitter();
  const specSchema = props.spec;
  const statusSchema = props.status;
  if (!specSchema || !statusSchema) throw new Error("CRD schema needs spec and status");
  e.typeOf(specSchema, `${crd.kind}Spec`);
  e.typeOf(statusSchema, `${crd.kind}Status`);
  const out = [
    "// Code generated from crds/chatcluster.yaml by operator/src/api/codegen.ts. DO NOT EDIT.",
    "// Regenerate with `npm run -w operator gen:types`; a unit test fails when this file is stale.",
    'import type { V1ObjectMeta } from "@kubernetes/client-node";',
    "",
    `export const GROUP = ${JSON.stringify(crd.group)};`,
    `export const VERSION = ${JSON.stringify(crd.version)};`,
    `export const API_VERSION = ${JSON.stringify(`${crd.group}/${crd.version}`)};`,
    `export const KIND = ${JSON.stringify(crd.kind)};`,
    `export const PLURAL = ${JSON.stringify(crd.plural)};`,
    `export const SCHEMA_SHA256 = ${JSON.stringify(schemaHash(crd.schema))};`,
    "",
    `/** The CRD's openAPIV3Schema, for structural defaulting (applyDefaults). */`,
    `export const schema = ${JSON.stringify(crd.schema)} as const;`,
    "",
    `export interface ${crd.kind} {`,
    "  apiVersion: string;",
    "  kind: string;",
    "  metadata: V1ObjectMeta;",
    `  spec: ${crd.kind}Spec;`,
    `  status?: ${crd.kind}Status;`,
    "}",
    "",
    ...e.decls.flatMap((d) => [d, ""]),
  ];
  return out.join("\n");
}
