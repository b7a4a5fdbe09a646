// The Helm chart: `helm lint` is clean, `helm template … | kubectl apply --dry-run=server` passes against
// the real API server, values.schema.json rejects bad values, and the chart's RBAC is enough: the operator,
// impersonating the chart's ServiceAccount, takes the lease, provisions a ChatCluster and finalizes it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { load, loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeLeaseStore, LeaderElector } from "../controller/leader.js";
import type { KObject } from "../kube/resources.js";
import {
  type Conn,
  connect,
  createNamespace,
  deleteNamespace,
  ensureCRD,
  getCC,
  HELM,
  KUBECTL,
  kubeconfigPath,
  REPO,
  startOperator,
  waitFor,
  waitReady,
} from "./harness.js";

const CHART = resolve(REPO, "charts/chatcluster-operator");

function helm(args: string[]): string {
  if (!existsSync(HELM)) throw new Error(`helm not installed at ${HELM}: run \`make setup\``);
  return execFileSync(HELM, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

let c: Conn;
let ns: string;
beforeAll(async () => {
  c = await connect();
  await ensureCRD(c);
  ns = await createNamespace(c, "chart");
});
afterAll(async () => {
  if (ns) await deleteNamespace(c, ns);
  c?.http.close();
});

describe("charts/chatcluster-operator", () => {
  it("helm lint --strict is clean", () => {
    const out = helm(["lint", "--strict", CHART]);
    expect(out).toContain("1 chart(s) linted, 0 chart(s) failed");
    expect(out).not.toMatch(/\[(INFO|WARNING|ERROR)\]/);
  });

  for (const [name, sets] of [
    ["defaults", []],
    [
      "one namespace, no leader election",
      ["--set", "watchNamespace=team-a", "--set", "leaderElection.enabled=false"],
    ],
    ["prometheus-adapter rules", ["--set", "prometheusAdapter.rules.create=true"]],
  ] as [string, string[]][]) {
    it(`helm template (${name}) | kubectl apply --dry-run=server passes`, () => {
      const manifests = helm(["template", "chat-op", CHART, "-n", ns, "--include-crds", ...sets]);
      const kinds = (loadAll(manifests) as KObject[]).filter(Boolean).map((o) => o.kind);
      expect(kinds).toEqual(
        expect.arrayContaining(["CustomResourceDefinition", "Deployment", "ServiceAccount", "ClusterRole"]),
      );
      const res = spawnSync(
        KUBECTL,
        [
          "--kubeconfig",
          kubeconfigPath(),
          "apply",
          "--dry-run=server",
          "--server-side",
          "--force-conflicts",
          "-n",
          ns,
          "-f",
          "-",
        ],
        { input: manifests, encoding: "utf8" },
      );
      expect(res.stderr).toBe("");
      expect(res.status).toBe(0);
      expect(res.stdout).toContain(
        "deployment.apps/chat-op-chatcluster-operator serverside-applied (server dry run)",
      );
    });
  }

  it("prometheus-adapter rules expose chat_socket_connections and chat_http_requests from the platform's series", () => {
    const objs = (
      loadAll(
        helm(["template", "chat-op", CHART, "-n", ns, "--set", "prometheusAdapter.rules.create=true"]),
      ) as ((KObject & { data?: Record<string, string> }) | null)[]
    ).filter((o) => o?.kind === "ConfigMap");
    expect(objs.map((o) => o?.metadata.name)).toEqual(["chat-op-chatcluster-operator-prometheus-adapter"]);
    const config = load(objs[0]?.data?.["config.yaml"] ?? "") as {
      rules: { seriesQuery: string; name: { matches: string; as: string }; metricsQuery: string }[];
    };
    // the same rules as the documented values file for the prometheus-adapter chart
    const values = load(readFileSync(resolve(CHART, "prometheus-adapter/values.yaml"), "utf8")) as {
      rules: { custom: unknown[] };
    };
    expect(config.rules).toEqual(values.rules.custom);
    const byName = new Map(config.rules.map((r) => [r.name.as, r]));
    expect([...byName.keys()].sort()).toEqual(["chat_http_requests", "chat_socket_connections"]);
    expect(byName.get("chat_http_requests")?.metricsQuery).toContain("rate(<<.Series>>");
    // the series they read are the platform's metric names (services/src/metrics.ts)
    const metrics = readFileSync(resolve(REPO, "services/src/metrics.ts"), "utf8");
    for (const r of config.rules) {
      const series = /^([a-z_]+)\{/.exec(r.seriesQuery)?.[1] ?? "";
      expect(metrics).toContain(`name: "${series}"`);
      expect(r.seriesQuery).toContain('pod!=""');
    }
    // off by default
    expect(helm(["template", "chat-op", CHART, "-n", ns])).not.toContain("prometheus-adapter");
  });

  it("values.schema.json rejects bad values", () => {
    const res = spawnSync(HELM, ["template", "x", CHART, "--set", "replicaCount=0"], { encoding: "utf8" });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain("replicaCount");
    const typo = spawnSync(HELM, ["template", "x", CHART, "--set", "replicas=2"], { encoding: "utf8" });
    expect(typo.status).not.toBe(0);
  });

  it("the chart's least-privilege RBAC is enough to run the operator", async () => {
    const release = `rbac-${ns.slice(-6)}`;
    const manifests = (loadAll(helm(["template", release, CHART, "-n", ns])) as KObject[]).filter(
      (o) =>
        o && ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"].includes(o.kind),
    );
    const clusterScoped: KObject[] = [];
    try {
      for (const m of manifests) {
        if (m.kind.startsWith("Cluster")) clusterScoped.push(m);
        else m.metadata.namespace = ns;
        await c.client.apply({ ...m, apiVersion: m.apiVersion });
      }
      const sa = `system:serviceaccount:${ns}:${release}-chatcluster-operator`;
      const asSA = await connect({ "Impersonate-User": sa, "Impersonate-Group": "system:serviceaccounts" });
      // impersonation is in effect: what the ClusterRole does not grant is forbidden
      await expect(asSA.client.list("v1", "Pod", ns)).rejects.toMatchObject({ code: 403 });
      // leader election through the Role
      const elector = new LeaderElector(
        kubeLeaseStore(asSA.client, ns, "chatcluster-operator"),
        "chatcluster-operator",
        ns,
        "t",
      );
      await waitFor("RBAC to settle and the lease to be taken", 15_000, () => elector.tryAcquireOrRenew());
      // a full lifecycle under the ClusterRole
      const op = await startOperator(asSA, ns);
      try {
        await c.client.apply({
          apiVersion: "chat.chatcluster.io/v1alpha1",
          kind: "ChatCluster",
          metadata: { name: "rbac", namespace: ns },
          spec: { deletionPolicy: "Delete", roles: { gateway: { autoscaling: { enabled: true } } } },
        });
        await waitReady(c, ns, "rbac");
        await c.client.delete({
          apiVersion: "chat.chatcluster.io/v1alpha1",
          kind: "ChatCluster",
          namespace: ns,
          name: "rbac",
        });
        await waitFor(
          "finalized under the chart's RBAC",
          30_000,
          async () => (await getCC(c, ns, "rbac")) === undefined,
        );
      } finally {
        await op.stop();
        asSA.http.close();
      }
    } finally {
      for (const m of clusterScoped) {
        await c.client.delete({ apiVersion: m.apiVersion, kind: m.kind, name: m.metadata.name ?? "" });
      }
    }
  });
});
