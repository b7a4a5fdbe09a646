// ServiceMonitor and PrometheusRule are created only when the cluster serves monitoring.coreos.com/v1.
// The test installs minimal stand-ins of the Prometheus Operator CRDs (when absent) and removes them after.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpKubeClient } from "../kube/client.js";
import type { KObject } from "../kube/resources.js";
import {
  type Conn,
  connect,
  createNamespace,
  deleteNamespace,
  ensureCRD,
  startOperator,
  waitFor,
  waitReady,
} from "./harness.js";

const CRD_API = "apiextensions.k8s.io/v1";
const monitoringCRD = (kind: string, plural: string): KObject => ({
  apiVersion: CRD_API,
  kind: "CustomResourceDefinition",
  metadata: { name: `${plural}.monitoring.coreos.com` },
  spec: {
    group: "monitoring.coreos.com",
    scope: "Namespaced",
    names: { kind, plural, listKind: `${kind}List`, singular: kind.toLowerCase() },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        },
      },
    ],
  },
});

let c: Conn;
const installed: string[] = [];
beforeAll(async () => {
  c = await connect();
  await ensureCRD(c);
  for (const [kind, plural] of [
    ["ServiceMonitor", "servicemonitors"],
    ["PrometheusRule", "prometheusrules"],
  ] as const) {
    const name = `${plural}.monitoring.coreos.com`;
    if (await c.client.get({ apiVersion: CRD_API, kind: "CustomResourceDefinition", name })) continue;
    await c.client.create(monitoringCRD(kind, plural));
    installed.push(name);
  }
  await waitFor("monitoring.coreos.com/v1 served", 30_000, async () => {
    // a fresh client: discovery answers are cached per client
    const fresh = new HttpKubeClient(c.http);
    return (
      (await fresh.serves("monitoring.coreos.com/v1", "ServiceMonitor")) &&
      (await fresh.serves("monitoring.coreos.com/v1", "PrometheusRule"))
    );
  });
});
afterAll(async () => {
  for (const name of installed)
    await c.client.delete({ apiVersion: CRD_API, kind: "CustomResourceDefinition", name });
  c?.http.close();
});

describe("monitoring objects", () => {
  it("are created (owned, labelled) when the Prometheus Operator kinds are served", async () => {
    const ns = await createNamespace(c, "mon");
    const op = await startOperator(c, ns);
    try {
      await c.client.apply({
        apiVersion: "chat.chatcluster.io/v1alpha1",
        kind: "ChatCluster",
        metadata: { name: "chat", namespace: ns },
        spec: { monitoring: { labels: { release: "kps" } } },
      });
      await waitReady(c, ns, "chat");
      for (const kind of ["ServiceMonitor", "PrometheusRule"]) {
        const o = await c.client.get({
          apiVersion: "monitoring.coreos.com/v1",
          kind,
          namespace: ns,
          name: "chat-platform",
        });
        expect(o?.metadata.labels?.release, kind).toBe("kps");
        expect(o?.metadata.ownerReferences?.[0]?.controller, kind).toBe(true);
      }
      // turning monitoring off prunes them
      await c.client.mergePatch(
        { apiVersion: "chat.chatcluster.io/v1alpha1", kind: "ChatCluster", namespace: ns, name: "chat" },
        { spec: { monitoring: { enabled: false } } },
      );
      await waitFor(
        "ServiceMonitor pruned",
        20_000,
        async () =>
          (await c.client.get({
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            namespace: ns,
            name: "chat-platform",
          })) === undefined,
      );
    } finally {
      await op.stop();
      await deleteNamespace(c, ns);
    }
  });
});
