// Security in real pods: NetworkPolicies are enforced (a pod without the platform's labels cannot open a
// TCP connection to MariaDB, Kafka or Redis; the same pod with them can), and a namespace that enforces
// Pod Security `restricted` admits every pod the operator creates (the minimal sample reaches Ready there).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, clusterPods, kindAvailable, kubectl, kubectlJson, REPO, waitFor } from "./kind.js";

const NS = "default";
const id = randomBytes(3).toString("hex");
const RESTRICTED = `e2e-restricted-${id}`;
const TARGETS = [
  "chat-shard-0.default.svc.cluster.local:3306",
  "chat-catalog.default.svc.cluster.local:3306",
  "chat-redis.default.svc.cluster.local:6379",
];
TARGETS.push("chat-kafka-0.chat-kafka.default.svc.cluster.local:9092");

beforeAll(() => {
  if (!kindAvailable()) throw new Error("no kind cluster: run hack/kind-up.sh && hack/kind-deploy.sh");
});
afterAll(async () => {
  await kubectl("delete", "namespace", RESTRICTED, "--wait=false", "--ignore-not-found").catch(() => {});
  await kubectl("-n", NS, "delete", "pod", "-l", `e2e-probe=${id}`, "--wait=false").catch(() => {});
});

/** A one-shot pod that tries a TCP connection to each target and prints "<target> open|closed". */
async function probe(name: string, labels: Record<string, string>): Promise<Record<string, string>> {
  const script = TARGETS.map((t) => {
    const [host, port] = t.split(":");
    return `if timeout 4 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/dev/null; then echo "${t} open"; else echo "${t} closed"; fi`;
  }).join("\n");
  await apply({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels: { ...labels, "e2e-probe": id } },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "probe",
          image: "ghcr.io/chatcluster/mariadb:10.11",
          imagePullPolicy: "IfNotPresent",
          command: ["bash", "-c", script],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
      ],
    },
  });
  await waitFor(
    `${name} finished`,
    async () => (await kubectlJson("-n", NS, "get", "pod", name)).status.phase === "Succeeded",
    90_000,
  );
  const out = await kubectl("-n", NS, "logs", name);
  return Object.fromEntries(
    out
      .trim()
      .split("\n")
      .map((l) => l.split(" ") as [string, string]),
  );
}

describe("security in real pods", () => {
  it("NetworkPolicies: only platform pods reach MariaDB, Kafka and Redis", async () => {
    const outsider = await probe(`outsider-${id}`, {});
    const platform = await probe(`platform-${id}`, {
      "app.kubernetes.io/instance": "chat",
      "chat.chatcluster.io/platform": "true",
    });
    for (const t of TARGETS) {
      expect(platform[t], `platform-labelled pod → ${t}`).toBe("open");
      expect(outsider[t], `unlabelled pod → ${t}`).toBe("closed");
    }
  });

  it("a namespace enforcing Pod Security restricted admits every pod of the minimal sample, which gets Ready", async () => {
    await apply({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: RESTRICTED,
        labels: {
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
        },
      },
    });
    const sample = load(readFileSync(resolve(REPO, "samples/chatcluster-minimal.yaml"), "utf8")) as {
      metadata: Record<string, unknown>;
    };
    sample.metadata.namespace = RESTRICTED;
    await apply(sample);
    await waitFor(
      "chat-minimal Ready in the restricted namespace",
      async () => {
        const cc = await kubectlJson("-n", RESTRICTED, "get", "chatcluster", "chat-minimal");
        return cc.status?.conditions?.some(
          (c: { type: string; status: string }) => c.type === "Ready" && c.status === "True",
        );
      },
      480_000,
      3_000,
    );
    const pods = await clusterPods(RESTRICTED, "chat-minimal");
    expect(pods.length).toBeGreaterThanOrEqual(8);
    for (const p of pods) expect(p, p.name).toMatchObject({ phase: "Running", ready: true });
    // No workload reports a pod it could not create (PSA would refuse it with FailedCreate).
    const events = await kubectlJson("-n", RESTRICTED, "get", "events");
    const refused = events.items.filter((e: { reason: string }) => e.reason === "FailedCreate");
    expect(refused.map((e: { message: string }) => e.message)).toEqual([]);
    await kubectl("-n", RESTRICTED, "delete", "chatcluster", "chat-minimal", "--wait=true", "--timeout=120s");
  });
});
