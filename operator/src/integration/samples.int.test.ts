// Every sample, applied to the real API server with the operator running: every child object exists with
// the expected spec (the builders' output is a subset of the live object) and a controller owner reference;
// kwok makes the pods ready and the ChatCluster turns Ready=True.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatCluster, withDefaults } from "../api/index.js";
import { isSubset } from "../kube/compare.js";
import { desiredObjects } from "../specs/index.js";
import {
  type Conn,
  connect,
  createNamespace,
  deleteNamespace,
  ensureCRD,
  loadSample,
  startOperator,
  waitReady,
} from "./harness.js";

let c: Conn;
beforeAll(async () => {
  c = await connect();
  await ensureCRD(c);
});
afterAll(() => c?.http.close());

const samples: [string, number][] = [
  ["chatcluster.yaml", 90_000],
  ["chatcluster-minimal.yaml", 90_000],
  ["chatcluster-external.yaml", 90_000],
  ["chatcluster-large.yaml", 170_000],
];

describe("samples", () => {
  for (const [file, timeout] of samples) {
    it(
      `${file}: every child with its spec and owner, then Ready=True`,
      async () => {
        const ns = await createNamespace(c, file.replace(/\.yaml$/, "").replace("chatcluster", "s"));
        const op = await startOperator(c, ns);
        try {
          const sample = loadSample(file);
          sample.metadata.namespace = ns;
          if (file.includes("external")) {
            for (const name of ["chat-kafka-credentials", "chat-redis-credentials"]) {
              await c.client.create({
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name, namespace: ns },
                stringData: { username: "chat", password: "test-only" },
              });
            }
          }
          await c.client.apply(sample);
          const live = await waitReady(c, ns, sample.metadata.name ?? "", timeout - 20_000);
          const cc = withDefaults(live) as ChatCluster;
          const desired = desiredObjects(cc);
          for (const d of desired) {
            const o = await c.client.get({
              apiVersion: d.apiVersion,
              kind: d.kind,
              namespace: ns,
              name: d.metadata.name ?? "",
            });
            expect(o, `${d.kind}/${d.metadata.name} exists`).toBeDefined();
            const { metadata: _m, ...spec } = d;
            expect(isSubset(spec, o), `${d.kind}/${d.metadata.name} has the expected spec`).toBe(true);
            expect(o?.metadata.ownerReferences).toEqual([
              expect.objectContaining({ kind: "ChatCluster", uid: live.metadata.uid, controller: true }),
            ]);
          }
          const secret = await c.client.get({
            apiVersion: "v1",
            kind: "Secret",
            namespace: ns,
            name: `${cc.metadata.name}-credentials`,
          });
          expect(Object.keys((secret as unknown as { data: object }).data).sort()).toEqual([
            "admin-token",
            "jwt-signing-key",
            "kafka-cluster-id",
            "mysql-password",
            "mysql-root-password",
            "redis-password",
          ]);
          if (file.includes("external")) {
            const kinds = desired.map((d) => `${d.kind}/${d.metadata.name}`);
            expect(kinds.filter((k) => k.includes("kafka") || k.includes("redis"))).toEqual([]);
            const cm = await c.client.get({
              apiVersion: "v1",
              kind: "ConfigMap",
              namespace: ns,
              name: "chat-external-platform",
            });
            const data = (cm as unknown as { data: Record<string, string> }).data;
            expect(data.CHAT_KAFKA_BROKERS).toBe("my-cluster-kafka-bootstrap.kafka.svc:9092");
            expect(data.CHAT_KAFKA_SASL_MECHANISM).toBe("SCRAM-SHA-512");
            const gw = (await c.client.get({
              apiVersion: "apps/v1",
              kind: "Deployment",
              namespace: ns,
              name: "chat-external-gateway",
            })) as unknown as {
              spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } };
            };
            const env = gw.spec.template.spec.containers[0]?.env ?? [];
            expect(env.find((e) => e.name === "CHAT_REDIS_URL")?.value).toBe(
              "rediss://:$(CHAT_REDIS_PASSWORD)@chat-redis.abc123.use1.cache.amazonaws.com:6379",
            );
          }
          expect(live.status?.phase).toBe("Ready");
          expect(live.status?.shards?.length).toBe(cc.spec.mysql.shards);
        } finally {
          await op.stop();
          await deleteNamespace(c, ns);
        }
      },
      timeout,
    );
  }
});
