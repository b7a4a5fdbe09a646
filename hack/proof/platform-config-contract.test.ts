// Contract between the operator and the platform: for every sample ChatCluster, the env the operator gives
// each role's container, resolved the way the kubelet does (envFrom ConfigMap, secretKeyRef, fieldRef,
// `$(VAR)` expansion), must parse with the platform's own config parser. Fails when either side drifts.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { V1ConfigMap, V1Deployment, V1EnvVar, V1Secret } from "@kubernetes/client-node";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { type ChatCluster, effectiveShards, ROLES, withDefaults } from "../../operator/src/api/index.js";
import { HTTP_PORT, names } from "../../operator/src/specs/common.js";
import {
  buildPlatformConfigMap,
  buildRoleDeployment,
  EXPANSION_ONLY_ENV,
} from "../../operator/src/specs/platform.js";
import { buildCredentialsSecret, CREDENTIAL_KEYS } from "../../operator/src/specs/secrets.js";
import { CONFIG_KEYS, parseConfig } from "../../services/src/config.js";

const REPO = resolve(import.meta.dirname, "../..");
const SAMPLES = readdirSync(resolve(REPO, "samples"))
  .filter((f) => /^chatcluster.*\.yaml$/.test(f))
  .sort();

function sample(file: string): ChatCluster {
  const obj = load(readFileSync(resolve(REPO, "samples", file), "utf8")) as {
    metadata: Record<string, unknown>;
  };
  return withDefaults({
    ...obj,
    metadata: { namespace: "contract", uid: "00000000-0000-0000-0000-000000000001", ...obj.metadata },
  });
}

type Secrets = Map<string, Record<string, string>>;

/** `$(VAR)` expansion as the kubelet does it: defined earlier → value, `$$` → `$`, unknown → left as is. */
function expand(value: string, defined: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (name === undefined) return "$";
    return Object.hasOwn(defined, name) ? (defined[name] as string) : m;
  });
}

/** The container env the kubelet would start the process with (envFrom first, then env in order). */
function resolveEnv(d: V1Deployment, cms: V1ConfigMap[], secrets: Secrets, podName: string) {
  const c = d.spec?.template.spec?.containers[0];
  if (!c) throw new Error("no container");
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const cm = cms.find((m) => m.metadata?.name === from.configMapRef?.name);
    if (!cm) throw new Error(`envFrom: no ConfigMap ${from.configMapRef?.name}`);
    Object.assign(env, cm.data);
  }
  for (const e of c.env ?? ([] as V1EnvVar[])) {
    const ref = e.valueFrom?.secretKeyRef;
    const cmRef = e.valueFrom?.configMapKeyRef;
    if (e.value !== undefined) env[e.name] = expand(e.value, env);
    else if (ref) {
      const v = secrets.get(ref.name ?? "")?.[ref.key];
      if (v === undefined) throw new Error(`${e.name}: no key ${ref.key} in Secret ${ref.name}`);
      env[e.name] = v;
    } else if (cmRef) {
      const v = cms.find((m) => m.metadata?.name === cmRef.name)?.data?.[cmRef.key];
      if (v === undefined) throw new Error(`${e.name}: no key ${cmRef.key} in ConfigMap ${cmRef.name}`);
      env[e.name] = v;
    } else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") env[e.name] = podName;
    else throw new Error(`${e.name}: unsupported source ${JSON.stringify(e.valueFrom)}`);
  }
  return env;
}

/** The operator's Secret, plus fakes with the same keys for every user Secret a sample references. */
function secretsFor(cc: ChatCluster): Secrets {
  const own: V1Secret = buildCredentialsSecret(cc);
  const out: Secrets = new Map([[own.metadata?.name ?? "", { ...own.stringData }]]);
  const k = cc.spec.kafka.external?.credentialsSecretRef;
  if (k) out.set(k.name, { [k.usernameKey]: "chat", [k.passwordKey]: "kafka-pass" });
  const r = cc.spec.redis.external?.passwordSecretRef;
  if (r) out.set(r.name, { [r.key]: "redis-pass-0123" });
  return out;
}

describe("operator env ↔ platform config (services/src/config.ts)", () => {
  it("covers every sample", () => {
    expect(SAMPLES).toContain("chatcluster.yaml");
    expect(SAMPLES.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of SAMPLES) {
    describe(file, () => {
      const cc = sample(file);
      const cm = buildPlatformConfigMap(cc);
      const secrets = secretsFor(cc);

      for (const role of ROLES) {
        it(`${role}: the resolved env parses, with every shard and only its role`, () => {
          const d = buildRoleDeployment(cc, role);
          const c = d.spec?.template.spec?.containers[0];
          const env = resolveEnv(d, [cm], secrets, `${names.role(cc.metadata.name ?? "", role)}-abc12-x9z8y`);

          // Only variables the platform parses (and the passwords the URLs expand).
          const allowed = new Set<string>([...CONFIG_KEYS, ...EXPANSION_ONLY_ENV]);
          expect(Object.keys(env).filter((k) => !allowed.has(k))).toEqual([]);
          // Every `$(VAR)` was expanded.
          for (const [k, v] of Object.entries(env)) expect(v, k).not.toMatch(/\$\(/);

          const cfg = parseConfig(env);
          expect(cfg.roles).toEqual([role]);
          expect(cfg.mysql.shardUrls).toHaveLength(cc.spec.mysql.shards);
          // Shard id = position in shards then spares: every id up to maxShards has a URL.
          expect(cfg.mysql.shardUrls.length + cfg.mysql.spareUrls.length).toBe(cc.spec.mysql.maxShards);
          for (const u of [cfg.mysql.catalogUrl, ...cfg.mysql.shardUrls, ...cfg.mysql.spareUrls]) {
            const url = new URL(u);
            expect(decodeURIComponent(url.password)).toBe(
              secrets.get(names.credentials(cc.metadata.name ?? ""))?.[CREDENTIAL_KEYS.mysqlPassword],
            );
            expect(url.pathname).toBe(`/${cc.spec.mysql.database}`);
          }
          const all = [...cfg.mysql.shardUrls, ...cfg.mysql.spareUrls];
          expect(new Set(all).size).toBe(all.length);
          // The port the platform listens on is the one the container, Service and probes use.
          expect(cfg.port).toBe(HTTP_PORT);
          expect(c?.ports?.find((p) => p.name === "http")?.containerPort).toBe(cfg.port);
          expect(c?.livenessProbe?.httpGet).toMatchObject({ path: "/healthz", port: "http" });
          expect(c?.readinessProbe?.httpGet).toMatchObject({ path: "/readyz", port: "http" });
          expect(cfg.instanceId).toMatch(new RegExp(`^${cc.metadata.name}-${role}-`));

          const redis = new URL(cfg.redis.url);
          const redisExt = cc.spec.redis.external;
          expect(redis.protocol).toBe(redisExt?.tls ? "rediss:" : "redis:");
          expect(redis.password).not.toBe("");
          const kafkaExt = cc.spec.kafka.external;
          if (kafkaExt) {
            expect(cfg.pipeline.kafkaBrokers).toEqual(kafkaExt.bootstrapServers);
            expect(cfg.pipeline.sasl?.mechanism).toBe(kafkaExt.saslMechanism);
            expect(cfg.pipeline.sasl?.password).toBe("kafka-pass");
          } else {
            expect(cfg.pipeline.kafkaBrokers.length).toBeGreaterThan(0);
            expect(cfg.pipeline.sasl).toBeNull();
          }
        });
      }

      it("the rebalancer's desiredShards leaves the env alone: new shards are spares already", () => {
        const grown = structuredClone(cc);
        const more = Math.min(cc.spec.mysql.shards + 1, cc.spec.mysql.maxShards);
        grown.status = { rebalance: { desiredShards: more } };
        const before = parseConfig(resolveEnv(buildRoleDeployment(cc, "worker"), [cm], secrets, "pod"));
        const after = parseConfig(resolveEnv(buildRoleDeployment(grown, "worker"), [cm], secrets, "pod"));
        expect(after.mysql).toEqual(before.mysql);
        expect(after.mysql.shardUrls.length + after.mysql.spareUrls.length).toBeGreaterThanOrEqual(
          effectiveShards(grown),
        );
      });
    });
  }
});
