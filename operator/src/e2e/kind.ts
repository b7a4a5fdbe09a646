// Harness of the kind suite: kubectl (the project's multi-call binary) against .run/kind-kubeconfig,
// commands inside a node container (docker, the project's engine), and the sample's endpoints on the host.
// The suite expects `hack/kind-up.sh && hack/kind-deploy.sh` to have run (hack/test.sh does that).
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { KUBECTL as K8S, REPO } from "../integration/harness.js";
import { sleep } from "../testing/chat.js";

export { REPO };

const run = promisify(execFile);
export const KUBECONFIG = resolve(REPO, ".run/kind-kubeconfig");
const DOCKER_HOST = `unix://${resolve(REPO, ".run/docker/docker.sock")}`;

/** docker against the project's engine (hack/lib/engine.sh), never a system one. */
export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run("docker", args, { env: { ...process.env, DOCKER_HOST }, maxBuffer: 16 << 20 });
  return stdout;
}
/** Where the kind config published a NodePort on the host (hack/kind/config.yaml; 18080 and 19091 by default). */
function published(nodePort: number): string {
  try {
    const out = execFileSync("docker", ["port", "chatcluster-control-plane", `${nodePort}/tcp`], {
      env: { ...process.env, DOCKER_HOST },
      encoding: "utf8",
    });
    return `http://${out.trim().split("\n")[0]}`;
  } catch {
    return "";
  }
}
/** The sample's edge (hack/kind/deploy/edge.yaml) and the in-cluster Prometheus, on the host. */
export const BASE = published(30080);
export const PROMETHEUS = published(30090);

export function kindAvailable(): boolean {
  return existsSync(KUBECONFIG) && existsSync(K8S) && BASE !== "";
}

export async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(K8S, ["--kubeconfig", KUBECONFIG, ...args], { maxBuffer: 64 << 20 });
  return stdout;
}

// biome-ignore lint/suspicious/noExplicitAny: kubectl -o json answers are read dynamically
export async function kubectlJson(...args: string[]): Promise<any> {
  return JSON.parse(await kubectl(...args, "-o", "json"));
}

/** kubectl apply of an object given as JSON (stdin). */
export async function apply(obj: unknown): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn(K8S, ["--kubeconfig", KUBECONFIG, "apply", "-f", "-"]);
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.stderr.on("data", (d) => {
      out += d;
    });
    p.on("exit", (code) => (code === 0 ? res(out) : rej(new Error(`kubectl apply: ${out}`))));
    p.stdin.end(JSON.stringify(obj));
  });
}

/** A command inside a kind node container (the node sees every pod's processes). */
export async function onNode(node: string, ...cmd: string[]): Promise<string> {
  return docker("exec", node, ...cmd);
}

/** Kills a container's main process with SIGKILL from its node: a crash, not a graceful stop. */
export async function killContainer(ns: string, pod: string, container: string): Promise<void> {
  const p = await kubectlJson("-n", ns, "get", "pod", pod);
  const node = p.spec.nodeName as string;
  const id = await onNode(
    node,
    "crictl",
    "ps",
    "-q",
    "--name",
    `^${container}$`,
    "--label",
    `io.kubernetes.pod.name=${pod}`,
  );
  const cid = id.trim().split("\n")[0];
  if (!cid) throw new Error(`no running container ${container} in ${pod}`);
  const pid = (
    await onNode(node, "crictl", "inspect", "-o", "go-template", "--template", "{{.info.pid}}", cid)
  ).trim();
  await onNode(node, "kill", "-9", pid);
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 1000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await sleep(everyMs);
  }
}

/** Every pod of a ChatCluster, with phase and readiness. */
export async function clusterPods(ns: string, cluster: string) {
  const list = await kubectlJson("-n", ns, "get", "pods", "-l", `app.kubernetes.io/instance=${cluster}`);
  // biome-ignore lint/suspicious/noExplicitAny: kubectl JSON
  return list.items.map((p: any) => ({
    name: p.metadata.name as string,
    phase: p.status.phase as string,
    ready: (p.status.conditions ?? []).some(
      (c: { type: string; status: string }) => c.type === "Ready" && c.status === "True",
    ),
    node: p.spec.nodeName as string,
    restarts: (p.status.containerStatuses ?? []).reduce(
      (n: number, c: { restartCount: number }) => n + c.restartCount,
      0,
    ),
    labels: p.metadata.labels as Record<string, string>,
  })) as {
    name: string;
    phase: string;
    ready: boolean;
    node: string;
    restarts: number;
    labels: Record<string, string>;
  }[];
}

/** Waits until every pod of the cluster is Running and Ready (after a fault: the recovery time). */
export async function waitAllReady(ns: string, cluster: string, timeoutMs = 300_000): Promise<number> {
  const t0 = Date.now();
  await waitFor(
    `every pod of ${ns}/${cluster} Ready`,
    async () => {
      const pods = await clusterPods(ns, cluster);
      return pods.length > 0 && pods.every((p) => p.phase === "Running" && p.ready);
    },
    timeoutMs,
  );
  return Date.now() - t0;
}

export async function ccCondition(ns: string, name: string, type: string): Promise<string | undefined> {
  const cc = await kubectlJson("-n", ns, "get", "chatcluster", name);
  return cc.status?.conditions?.find((c: { type: string }) => c.type === type)?.status;
}

/** kubectl port-forward to one pod; resolves with the local port once it listens. */
export async function portForward(
  ns: string,
  pod: string,
  port: number,
): Promise<{ port: number; stop: () => void }> {
  const p: ChildProcess = spawn(K8S, [
    "--kubeconfig",
    KUBECONFIG,
    "-n",
    ns,
    "port-forward",
    `pod/${pod}`,
    `:${port}`,
  ]);
  const local = await new Promise<number>((res, rej) => {
    let out = "";
    p.stdout?.on("data", (d) => {
      out += d;
      const m = /127\.0\.0\.1:(\d+)/.exec(out);
      if (m) res(Number(m[1]));
    });
    p.stderr?.on("data", (d) => {
      out += d;
    });
    p.on("exit", () => rej(new Error(`port-forward ${pod}: ${out}`)));
  });
  return { port: local, stop: () => p.kill("SIGTERM") };
}
