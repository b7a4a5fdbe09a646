// Proof that the local control plane (hack/cluster-up.sh) is a working Kubernetes API for the
// operator: CRDs with structural schemas are served, custom objects round-trip, and Deployments
// and StatefulSets (with volume claims) get Pods that are scheduled on the kwok nodes and Ready.
// Run: make cluster-up && npx vitest run --project integration hack/proof/kube
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type V1CustomResourceDefinition,
  type V1Pod,
  VersionApi,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const runDir = process.env.CHATCLUSTER_RUN ?? path.join(repo, ".run");
const kubeconfigPath = path.join(runDir, "kubeconfig");
const notRunning = "control plane not running: run `make cluster-up`";

const group = "proof.chatcluster.dev";
const plural = "widgets";
const crdName = `${plural}.${group}`;
const namespace = `proof-kube-${Date.now().toString(36)}`;
const appLabels = { app: "proof-web" };

const crd: V1CustomResourceDefinition = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: crdName },
  spec: {
    group,
    scope: "Namespaced",
    names: { plural, singular: "widget", kind: "Widget", listKind: "WidgetList" },
    versions: [
      {
        name: "v1alpha1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["size"],
                properties: {
                  size: { type: "integer", minimum: 1, maximum: 10 },
                  // The typed client-node models spell the JSON keys `enum`/`default` as `_enum`/`_default`
                  // (plain `enum` would be dropped silently by its serializer).
                  color: { type: "string", _enum: ["red", "green", "blue"], _default: "blue" },
                },
              },
              status: { type: "object", properties: { phase: { type: "string" } } },
            },
          },
        },
      },
    ],
  },
};

interface Widget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string };
  spec: { size: number; color?: string };
}

const kc = new KubeConfig();
let core: CoreV1Api;
let apps: AppsV1Api;
let ext: ApiextensionsV1Api;
let custom: CustomObjectsApi;
const kwokNodes = new Set<string>();

/** Polls `check` until it returns a value (not undefined); fails with the last state seen. */
async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = "nothing yet";
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what} (last: ${String(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** The pods of `selector` once there are `count` of them, all Running, Ready, on kwok nodes. */
async function readyPods(selector: string, count: number): Promise<V1Pod[]> {
  return until(`${count} Ready pods (${selector})`, 60_000, async () => {
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items;
    const ok = pods.filter(
      (p) =>
        p.status?.phase === "Running" &&
        isReady(p) &&
        kwokNodes.has(p.spec?.nodeName ?? "") &&
        !p.metadata?.deletionTimestamp,
    );
    return ok.length === count && pods.length === count ? ok : undefined;
  });
}

beforeAll(async () => {
  if (!existsSync(kubeconfigPath)) throw new Error(`${notRunning} (no kubeconfig at ${kubeconfigPath})`);
  kc.loadFromFile(kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  ext = kc.makeApiClient(ApiextensionsV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  try {
    const nodes = await core.listNode({ labelSelector: "type=kwok" });
    for (const n of nodes.items) {
      const ready = n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
      if (ready && n.metadata?.name) kwokNodes.add(n.metadata.name);
    }
  } catch (err) {
    throw new Error(`${notRunning} (${kc.getCurrentCluster()?.server}: ${String(err)})`);
  }
  if (kwokNodes.size === 0) throw new Error(`${notRunning} (no Ready kwok nodes)`);
  await core.createNamespace({
    body: { metadata: { name: namespace, labels: { "chatcluster.dev/proof": "kube" } } },
  });
});

afterAll(async () => {
  // Best effort when a test failed before the cleanup test ran.
  await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  await ext?.deleteCustomResourceDefinition({ name: crdName }).catch(() => undefined);
});

describe("local control plane", () => {
  it("serves Kubernetes v1.36 with 3 Ready kwok nodes", async () => {
    expect(kwokNodes.size).toBe(3);
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.36\./);
  });

  it("installs a CRD with a structural schema and reports it Established", async () => {
    try {
      await ext.createCustomResourceDefinition({ body: crd });
    } catch (err) {
      if (statusOf(err) !== 409) throw err; // left over from an interrupted run: same definition
    }
    const established = await until("CRD Established", 30_000, async () => {
      const got = await ext.readCustomResourceDefinition({ name: crdName });
      const ok = got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
      return ok ? got : undefined;
    });
    expect(established.status?.acceptedNames?.kind).toBe("Widget");
  });

  it("creates a custom object and reads it back, with schema defaults and validation", async () => {
    const body: Widget = {
      apiVersion: `${group}/v1alpha1`,
      kind: "Widget",
      metadata: { name: "first" },
      spec: { size: 3 },
    };
    const created = (await custom.createNamespacedCustomObject({
      group,
      version: "v1alpha1",
      namespace,
      plural,
      body,
    })) as Widget;
    const read = (await custom.getNamespacedCustomObject({
      group,
      version: "v1alpha1",
      namespace,
      plural,
      name: "first",
    })) as Widget;
    expect(read.metadata.uid).toBe(created.metadata.uid);
    expect(read.spec).toEqual({ size: 3, color: "blue" }); // `color` defaulted by the schema

    const invalid = { ...body, metadata: { name: "invalid" }, spec: { size: 11, color: "pink" } };
    const rejected = await custom
      .createNamespacedCustomObject({ group, version: "v1alpha1", namespace, plural, body: invalid })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(statusOf(rejected)).toBe(422);
    const message = String((rejected as ApiException<unknown>).body);
    expect(message).toContain("spec.size");
    expect(message).toContain("spec.color");
  });

  it("runs a 3-replica Deployment to 3 ready replicas on kwok nodes", async () => {
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: "proof-web", labels: appLabels },
        spec: {
          replicas: 3,
          selector: { matchLabels: appLabels },
          template: {
            metadata: { labels: appLabels },
            spec: {
              containers: [
                {
                  name: "web",
                  image: "registry.invalid/chatcluster/proof:1", // kwok never pulls images
                  ports: [{ containerPort: 8080 }],
                  readinessProbe: { httpGet: { path: "/readyz", port: 8080 } },
                  resources: { requests: { cpu: "100m", memory: "64Mi" } },
                },
              ],
            },
          },
        },
      },
    });
    const status = await until("Deployment with 3 ready replicas", 60_000, async () => {
      const d = await apps.readNamespacedDeployment({ name: "proof-web", namespace });
      const s = d.status;
      return s?.readyReplicas === 3 && s.availableReplicas === 3 && s.updatedReplicas === 3 ? s : undefined;
    });
    expect(status.replicas).toBe(3);

    const pods = await readyPods("app=proof-web", 3);
    for (const pod of pods) {
      expect(kwokNodes.has(pod.spec?.nodeName ?? "")).toBe(true);
      expect(pod.status?.podIP).toBeTruthy();
    }
  });

  it("runs a StatefulSet whose volume claims are bound by the default StorageClass", async () => {
    const labels = { app: "proof-db" };
    await apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: "proof-db" },
        spec: {
          serviceName: "proof-db",
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: "db", image: "registry.invalid/chatcluster/db:1" }] },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: "data" },
              spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
            },
          ],
        },
      },
    });
    await until("StatefulSet with 2 ready replicas", 60_000, async () => {
      const s = (await apps.readNamespacedStatefulSet({ name: "proof-db", namespace })).status;
      return s?.readyReplicas === 2 ? s : undefined;
    });
    await readyPods("app=proof-db", 2);
    const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items;
    expect(claims.map((c) => c.metadata?.name).sort()).toEqual(["data-proof-db-0", "data-proof-db-1"]);
    for (const claim of claims) {
      expect(claim.status?.phase).toBe("Bound");
      expect(claim.spec?.storageClassName).toBe("kwok-volume");
    }
  });

  it("deletes the namespace and everything in it", async () => {
    await core.deleteNamespace({ name: namespace });
    await until("namespace gone", 90_000, async () => {
      try {
        await core.readNamespace({ name: namespace });
        return undefined;
      } catch (err) {
        if (statusOf(err) === 404) return true;
        throw err;
      }
    });
    await ext.deleteCustomResourceDefinition({ name: crdName });
  });
});
