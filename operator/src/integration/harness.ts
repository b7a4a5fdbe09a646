// Shared helpers of the operator's integration tests. They run against the real local control plane
// (kube-apiserver + controller-manager + scheduler + kwok) from `make cluster-up`, read its kubeconfig
// through kubeconfigPath() only, and fail loudly when it is not running. Each test uses its own namespace.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { load } from "js-yaml";
import pino from "pino";
import { Controller } from "../controller/controller.js";
import { OperatorMetrics } from "../controller/metrics.js";
import { RateLimiter } from "../controller/queue.js";
import { HttpKubeClient, type WriteVerb } from "../kube/client.js";
import { loadKubeConfig } from "../kube/config.js";
import { HttpKube } from "../kube/http.js";
import type { KObject } from "../kube/resources.js";
import type { RebalanceEnv } from "../rebalance/admin.js";

export const REPO = resolve(import.meta.dirname, "../../..");
export const KUBECTL = resolve(process.env.HOME ?? "", ".cache/chatcluster/bin/kubectl");
export const HELM = resolve(process.env.HOME ?? "", ".cache/chatcluster/bin/helm");

export function kubeconfigPath(): string {
  const p = process.env.CHATCLUSTER_KUBECONFIG ?? resolve(REPO, ".run/kubeconfig");
  if (!existsSync(p)) throw new Error(`control plane not running: run \`make cluster-up\` (no ${p})`);
  return p;
}

export interface Conn {
  http: HttpKube;
  client: HttpKubeClient;
}

export async function connect(headers: Record<string, string> = {}): Promise<Conn> {
  const http = new HttpKube(loadKubeConfig(kubeconfigPath()), headers);
  try {
    await http.request("GET", "/version");
  } catch (e) {
    throw new Error(`control plane not running: run \`make cluster-up\` (${String(e)})`);
  }
  return { http, client: new HttpKubeClient(http, () => {}, "chatcluster-tests") };
}

export async function ensureCRD(c: Conn): Promise<void> {
  const crd = load(readFileSync(resolve(REPO, "crds/chatcluster.yaml"), "utf8")) as KObject;
  await c.client.apply(crd);
  await waitFor("CRD established", 30_000, async () => {
    const o = (await c.client.get({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      name: "chatclusters.chat.chatcluster.io",
    })) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
    return o?.status?.conditions?.some((x) => x.type === "Established" && x.status === "True") ?? false;
  });
}

export async function createNamespace(c: Conn, prefix: string): Promise<string> {
  const name = `op-${prefix}-${randomBytes(3).toString("hex")}`;
  await c.client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  return name;
}

/** Removes the namespace; ChatClusters' finalizers are dropped first so nothing is left hanging. */
export async function deleteNamespace(c: Conn, ns: string): Promise<void> {
  const ccs = await c.client.list("chat.chatcluster.io/v1alpha1", "ChatCluster", ns);
  for (const cc of ccs.items) {
    await c.client
      .mergePatch(
        { apiVersion: cc.apiVersion, kind: cc.kind, namespace: ns, name: cc.metadata.name ?? "" },
        { metadata: { finalizers: null } },
      )
      .catch(() => {});
  }
  await c.client.delete({ apiVersion: "v1", kind: "Namespace", name: ns });
}

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | false | undefined>,
): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function loadSample(file: string): KObject {
  return load(readFileSync(resolve(REPO, "samples", file), "utf8")) as KObject;
}

export interface RunningOperator {
  controller: Controller;
  writes: { verb: WriteVerb; kind: string }[];
  reconciles: Map<string, number>;
  stop(): Promise<void>;
  /** Resolves after the next n reconciles of key complete. */
  reconciled(key: string, n?: number, timeoutMs?: number): Promise<void>;
}

/** Runs the operator in-process, watching one namespace, with its writes counted. */
export async function startOperator(
  c: Conn,
  namespace: string,
  workers = 2,
  rebalance?: RebalanceEnv,
): Promise<RunningOperator> {
  const writes: { verb: WriteVerb; kind: string }[] = [];
  const reconciles = new Map<string, number>();
  const client = new HttpKubeClient(c.http, (verb, kind) => writes.push({ verb, kind }));
  const log = pino({ level: process.env.OPERATOR_TEST_LOG ?? "warn" });
  const controller = new Controller(client, new OperatorMetrics(), log, {
    namespace,
    identity: `test-${namespace}`,
    workers,
    rebalance,
    rateLimiter: new RateLimiter({ baseDelayMs: 200, maxDelayMs: 5_000 }),
    onReconciled: (key) => reconciles.set(key, (reconciles.get(key) ?? 0) + 1),
  });
  await controller.start();
  return {
    controller,
    writes,
    reconciles,
    stop: () => controller.stop(),
    async reconciled(key, n = 1, timeoutMs = 30_000) {
      const target = (reconciles.get(key) ?? 0) + n;
      await waitFor(
        `${n} reconcile(s) of ${key}`,
        timeoutMs,
        async () => (reconciles.get(key) ?? 0) >= target,
      );
    },
  };
}

export type Status = {
  phase?: string;
  ready?: string;
  observedGeneration?: number;
  conditions?: { type: string; status: string; reason: string }[];
  shards?: { index: number; name: string; state: string }[];
};

export async function getCC(c: Conn, ns: string, name: string) {
  return (await c.client.get({
    apiVersion: "chat.chatcluster.io/v1alpha1",
    kind: "ChatCluster",
    namespace: ns,
    name,
  })) as (KObject & { spec: Record<string, unknown>; status?: Status }) | undefined;
}

export async function waitReady(c: Conn, ns: string, name: string, timeoutMs = 90_000) {
  return await waitFor(`ChatCluster ${ns}/${name} Ready=True`, timeoutMs, async () => {
    const cc = await getCC(c, ns, name);
    const ready = cc?.status?.conditions?.find((x) => x.type === "Ready");
    return ready?.status === "True" && cc?.status?.observedGeneration === cc?.metadata.generation
      ? cc
      : undefined;
  });
}

export interface OperatorProcess {
  name: string;
  port: number;
  proc: import("node:child_process").ChildProcess;
  log: () => string;
  metric(name: string, match?: (labels: string) => boolean): Promise<number>;
  exited: Promise<number | null>;
}

let nextPort = 18_300 + Math.floor(Math.random() * 500);

/** Starts the operator as a real process (node + tsx on src/main.ts), as `make up` would. */
export async function spawnOperator(
  name: string,
  namespace: string,
  env: Record<string, string> = {},
): Promise<OperatorProcess> {
  const { spawn } = await import("node:child_process");
  const port = nextPort++;
  let out = "";
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", resolve(REPO, "operator/src/main.ts"), "--namespace", namespace],
    {
      cwd: REPO,
      env: {
        ...process.env,
        KUBECONFIG: kubeconfigPath(),
        POD_NAME: name,
        METRICS_PORT: String(port),
        LEADER_ELECTION_NAMESPACE: namespace,
        LOG_LEVEL: "info",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  proc.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  const metric = async (metricName: string, match: (labels: string) => boolean = () => true) => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    const text = await res.text();
    let sum = 0;
    for (const line of text.split("\n")) {
      const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
      if (m && m[1] === metricName && match(m[2] ?? "")) sum += Number(m[3]);
    }
    return sum;
  };
  await waitFor(`operator ${name} metrics endpoint`, 30_000, async () => {
    if (proc.exitCode !== null) throw new Error(`operator ${name} exited: ${out}`);
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
  });
  return { name, port, proc, log: () => out, metric, exited };
}

/** The local data plane's addresses (.run/infra.env from `make infra-up`); a missing file fails loudly. */
export interface DataPlane {
  catalogUrl: string;
  shardUrls: string[];
  spareUrls: string[];
  redisUrl: string;
  prometheusUrl: string;
  prometheusTargetsDir: string;
}

export function dataPlane(): DataPlane {
  const p = resolve(REPO, ".run/infra.env");
  if (!existsSync(p)) throw new Error(`data plane not running: run \`make infra-up\` (no ${p})`);
  const kv: Record<string, string> = {};
  for (const line of readFileSync(p, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1]) kv[m[1]] = (m[2] ?? "").trim().replace(/^["']|["']$/g, "");
  }
  const need = (k: string) => {
    const v = kv[k];
    if (!v) throw new Error(`${p} lacks ${k}: re-run \`make infra-up\``);
    return v;
  };
  const list = (k: string) => need(k).split(",").filter(Boolean);
  return {
    catalogUrl: need("CC_MYSQL_CATALOG_URL"),
    shardUrls: list("CC_MYSQL_SHARD_URLS"),
    spareUrls: list("CC_MYSQL_SPARE_URLS"),
    redisUrl: need("CC_REDIS_URL"),
    prometheusUrl: need("CC_PROMETHEUS_URL").replace(/\/+$/, ""),
    prometheusTargetsDir: need("CC_PROMETHEUS_TARGETS_DIR"),
  };
}
