import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { generateTypes, parseCRD, schemaHash } from "./codegen.js";
import { effectiveShards, withDefaults } from "./index.js";
import { SCHEMA_SHA256, schema } from "./types.generated.js";

const crdText = readFileSync(resolve(import.meta.dirname, "../../../crds/chatcluster.yaml"), "utf8");

describe("CRD and generated types", () => {
  it("types.generated.ts matches crds/chatcluster.yaml (run `npm run -w operator gen:types`)", () => {
    const crd = parseCRD(crdText);
    expect(schemaHash(crd.schema)).toBe(SCHEMA_SHA256);
    expect(schema).toEqual(crd.schema);
  });

  it("generates an interface per object with defaulted fields non-optional", () => {
    const ts = generateTypes(crdText);
    expect(ts).toContain("export interface ChatClusterSpecMysql {");
    expect(ts).toMatch(/ {2}shards: number;/);
    expect(ts).toMatch(/ {2}external\?: ChatClusterSpecKafkaExternal;/);
    expect(ts).toContain('deletionPolicy: "Retain" | "Delete";');
  });
});

describe("withDefaults", () => {
  it("fills nested defaults like the API server", () => {
    const cc = withDefaults({ metadata: { name: "a", namespace: "n" }, spec: {} });
    expect(cc.spec.mysql.shards).toBe(2);
    expect(cc.spec.mysql.maxShards).toBe(16);
    expect(cc.spec.mysql.storage.size).toBe("10Gi");
    expect(cc.spec.mysql.durability.syncBinlog).toBe(1);
    expect(cc.spec.roles.worker.autoscaling.enabled).toBe(false);
    expect(cc.spec.deletionPolicy).toBe("Retain");
    expect(cc.spec.kafka.managed).toBeUndefined();
    expect(cc.spec.sharding.rebalance.mode).toBe("Disabled");
  });

  it("defaults inside optional objects only when they are present", () => {
    const cc = withDefaults({ spec: { kafka: { managed: {} }, redis: { external: { host: "r" } } } });
    expect(cc.spec.kafka.managed?.replicas).toBe(1);
    expect(cc.spec.redis.external?.port).toBe(6379);
    expect(cc.spec.redis.managed).toBeUndefined();
  });

  it("keeps user values", () => {
    const cc = withDefaults({ spec: { mysql: { shards: 5 } } });
    expect(cc.spec.mysql.shards).toBe(5);
    expect(cc.spec.mysql.maxShards).toBe(16);
  });
});

describe("effectiveShards", () => {
  it("is the spec count raised by the rebalancer and capped at maxShards", () => {
    const cc = withDefaults({ spec: { mysql: { shards: 3, maxShards: 4 } } });
    expect(effectiveShards(cc)).toBe(3);
    cc.status = { rebalance: { desiredShards: 9 } };
    expect(effectiveShards(cc)).toBe(4);
    cc.status = { rebalance: { desiredShards: 1 } };
    expect(effectiveShards(cc)).toBe(3);
  });
});

describe("Helm chart CRD", () => {
  it("charts/chatcluster-operator/crds/chatcluster.yaml is a copy of crds/chatcluster.yaml", () => {
    const chart = readFileSync(
      resolve(import.meta.dirname, "../../../charts/chatcluster-operator/crds/chatcluster.yaml"),
      "utf8",
    );
    expect(chart, "run: cp crds/chatcluster.yaml charts/chatcluster-operator/crds/").toBe(crdText);
  });
});
