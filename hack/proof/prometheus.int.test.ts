// Proof: dropping a file_sd JSON file into CC_PROMETHEUS_TARGETS_DIR makes the local Prometheus scrape a
// prom-client endpoint, and removing the file stops it.
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Counter, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, loadInfraEnv } from "./infra-env.js";

const env = loadInfraEnv();
const suffix = randomBytes(4).toString("hex");
const metric = `cc_proof_${suffix}_total`;
const job = `cc-proof-${suffix}`;
const targetFile = join(env.prometheusTargetsDir, `proof-${suffix}.json`);

interface QueryResponse {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}
interface TargetsResponse {
  data: { activeTargets: { labels: Record<string, string>; health: string }[] };
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${env.prometheusUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

describe("prometheus", () => {
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    const ready = await fetch(`${env.prometheusUrl}/-/ready`, { signal: AbortSignal.timeout(5_000) });
    expect(ready.status).toBe(200);

    const registry = new Registry();
    const counter = new Counter({ name: metric, help: "proof counter", registers: [registry] });
    counter.inc(42);
    server = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      registry.metrics().then(
        (body) => res.writeHead(200, { "content-type": registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    rmSync(targetFile, { force: true });
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("scrapes a target registered by dropping a file_sd file", async () => {
    mkdirSync(env.prometheusTargetsDir, { recursive: true });
    // Write then rename, so Prometheus never reads a half-written file.
    writeFileSync(`${targetFile}.tmp`, JSON.stringify([{ targets: [`127.0.0.1:${port}`], labels: { job } }]));
    renameSync(`${targetFile}.tmp`, targetFile);

    const value = await eventually(
      `${metric} in Prometheus`,
      async () => {
        const body = await getJson<QueryResponse>(`/api/v1/query?query=${encodeURIComponent(metric)}`);
        const sample = body.data.result[0];
        return sample ? { labels: sample.metric, value: sample.value[1] } : undefined;
      },
      60_000,
      500,
    );
    expect(value.value).toBe("42");
    expect(value.labels).toMatchObject({ job, instance: `127.0.0.1:${port}` });
  });

  it("drops the target when its file is removed", async () => {
    rmSync(targetFile, { force: true });
    await eventually(
      "the target to disappear",
      async () => {
        const body = await getJson<TargetsResponse>("/api/v1/targets?state=active");
        return body.data.activeTargets.some((t) => t.labels.job === job) ? undefined : true;
      },
      60_000,
      500,
    );
  });
});
