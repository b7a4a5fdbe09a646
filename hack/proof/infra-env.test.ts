import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { infraEnvPath, loadInfraEnv, parseEnvFile } from "./infra-env.js";

describe("infra-env", () => {
  it("uses $CHATCLUSTER_RUN when set, else <repo>/.run", () => {
    expect(infraEnvPath({ CHATCLUSTER_RUN: "/x/run" })).toBe("/x/run/infra.env");
    expect(infraEnvPath({})).toMatch(/\/\.run\/infra\.env$/);
  });

  it("parses KEY=VALUE lines, comments and quotes", () => {
    expect(parseEnvFile("# c\nA=1\n\nB='x=y'\nC=\n")).toEqual({ A: "1", B: "x=y", C: "" });
  });

  it("fails loudly when the data plane is not running", () => {
    expect(() => loadInfraEnv("/nonexistent/infra.env")).toThrow(
      /data plane not running: run `make infra-up`/,
    );
  });

  it("reads the lists", () => {
    const dir = mkdtempSync(join(tmpdir(), "cc-infra-env-"));
    const file = join(dir, "infra.env");
    writeFileSync(
      file,
      [
        "CC_MYSQL_CATALOG_URL=mysql://chat:chat@127.0.0.1:1/chat",
        "CC_MYSQL_SHARD_URLS=mysql://a/chat,mysql://b/chat",
        "CC_MYSQL_SPARE_URLS=",
        "CC_REDIS_URL=redis://127.0.0.1:2",
        "CC_KAFKA_BROKERS=127.0.0.1:3",
        "CC_PROMETHEUS_URL=http://127.0.0.1:4/",
        "CC_PROMETHEUS_TARGETS_DIR=/t",
      ].join("\n"),
    );
    const env = loadInfraEnv(file);
    expect(env.mysqlShardUrls).toEqual(["mysql://a/chat", "mysql://b/chat"]);
    expect(env.mysqlSpareUrls).toEqual([]);
    expect(env.kafkaBrokers).toEqual(["127.0.0.1:3"]);
    expect(env.prometheusUrl).toBe("http://127.0.0.1:4");
  });
});
