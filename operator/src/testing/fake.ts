// An in-memory API server for unit tests: implements KubeClient (counting every write) and ObjectCache.
// apply() behaves like server-side apply by the only manager: the object becomes the applied fields,
// plus server-owned metadata, status, and a few defaulted fields (to prove diffs tolerate them).
import pino from "pino";
import { canonicalJSON } from "../api/codegen.js";
import { type ChatCluster, withDefaults } from "../api/index.js";
import type { ObjectCache } from "../controller/cache.js";
import { MemoryRecorder } from "../controller/events.js";
import type { ReconcileDeps } from "../controller/reconcile.js";
import type { KubeClient, ListResult, WriteVerb } from "../kube/client.js";
import { mergePatchDiff } from "../kube/compare.js";
import { ApiError } from "../kube/http.js";
import { type KObject, keyOf, type ObjRef } from "../kube/resources.js";

type Status = Record<string, unknown>;

export class FakeKube implements KubeClient, ObjectCache {
  objects = new Map<string, KObject>();
  writes: { verb: WriteVerb; kind: string; name: string; fieldManager?: string }[] = [];
  private rv = 1;
  private uid = 1;
  served = new Set<string>(["v1", "apps/v1", "policy/v1", "networking.k8s.io/v1", "autoscaling/v2"]);

  private stamp(o: KObject, old?: KObject): KObject {
    const spec = (x?: KObject) => canonicalJSON({ ...x, metadata: undefined, status: undefined });
    const changed = !old || spec(o) !== spec(old);
    o.metadata.resourceVersion = String(++this.rv);
    o.metadata.uid = old?.metadata.uid ?? `uid-${this.uid++}`;
    o.metadata.creationTimestamp = old?.metadata.creationTimestamp ?? "2026-01-01T00:00:00Z";
    o.metadata.generation = (old?.metadata.generation ?? 0) + (changed ? 1 : 0);
    return o;
  }

  private serverDefaults(o: KObject): void {
    const tpl = (o as { spec?: { template?: { spec?: Record<string, unknown> } } }).spec?.template?.spec;
    if (tpl) {
      tpl.dnsPolicy ??= "ClusterFirst";
      tpl.restartPolicy ??= "Always";
    }
    if (o.kind === "Service") {
      const s = (o as unknown as { spec: Record<string, unknown> }).spec;
      s.clusterIP ??= "10.0.0.1";
      s.sessionAffinity ??= "None";
    }
  }

  seed(o: KObject): KObject {
    const c = structuredClone(o);
    this.stamp(c);
    this.objects.set(keyOf(refOfObj(c)), c);
    return c;
  }

  // ObjectCache
  has(apiVersion: string): boolean {
    return this.served.has(apiVersion);
  }
  get(ref: ObjRef): Promise<KObject | undefined>;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObject | undefined;
  get(
    a: ObjRef | string,
    kind?: string,
    namespace?: string,
    name?: string,
  ): Promise<KObject | undefined> | KObject | undefined {
    if (typeof a === "string") {
      const o = this.objects.get(keyOf({ apiVersion: a, kind: kind ?? "", namespace, name: name ?? "" }));
      return o ? structuredClone(o) : undefined;
    }
    const o = this.objects.get(keyOf(a));
    return Promise.resolve(o ? structuredClone(o) : undefined);
  }
  list(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    labels: Record<string, string>,
  ): KObject[];
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<ListResult>;
  list(
    apiVersion: string,
    kind: string,
    namespace?: string,
    sel?: Record<string, string> | string,
  ): KObject[] | Promise<ListResult> {
    const match =
      typeof sel === "string"
        ? Object.fromEntries(
            sel
              .split(",")
              .filter(Boolean)
              .map((kv) => kv.split("=") as [string, string]),
          )
        : (sel ?? {});
    const items = [...this.objects.values()]
      .filter(
        (o) =>
          o.apiVersion === apiVersion &&
          o.kind === kind &&
          (namespace === undefined || o.metadata.namespace === namespace) &&
          Object.entries(match).every(([k, v]) => o.metadata.labels?.[k] === v),
      )
      .map((o) => structuredClone(o));
    if (typeof sel === "string" || sel === undefined) {
      return Promise.resolve({ items, resourceVersion: String(this.rv) });
    }
    return items;
  }

  // KubeClient writes
  async apply(obj: KObject, subresource?: "status", fieldManager?: string): Promise<KObject> {
    this.writes.push({ verb: "apply", kind: obj.kind, name: obj.metadata.name ?? "", fieldManager });
    const key = keyOf(refOfObj(obj));
    const old = this.objects.get(key);
    if (subresource === "status") {
      if (!old) throw new ApiError(404, "NotFound", "not found");
      const n = { ...structuredClone(old), status: structuredClone(obj.status) };
      this.objects.set(key, this.stamp(n, old));
      return structuredClone(n);
    }
    // Server-side apply, as far as the operator relies on it: each manager owns the spec fields it applied;
    // a field its manager stops applying is removed unless another manager still owns it.
    const manager = fieldManager ?? "chatcluster-operator";
    type Entry = { manager: string; operation: string; fieldsV1: { "f:spec": Record<string, object> } };
    const others = ((old?.metadata.managedFields ?? []) as Entry[]).filter((e) => e.manager !== manager);
    const oldSpec = (old?.spec ?? {}) as Record<string, unknown>;
    const applied = (obj.spec ?? {}) as Record<string, unknown>;
    const kept = Object.fromEntries(
      others.flatMap((e) =>
        Object.keys(e.fieldsV1["f:spec"])
          .map((f) => f.slice(2))
          .filter((f) => !(f in applied) && f in oldSpec)
          .map((f) => [f, oldSpec[f]]),
      ),
    );
    const n = structuredClone(fieldManager && old ? { ...old, spec: { ...oldSpec, ...applied } } : obj);
    if (n.spec !== undefined || Object.keys(kept).length > 0) n.spec = { ...kept, ...(n.spec as object) };
    n.metadata = { ...old?.metadata, ...n.metadata };
    const fields = Object.fromEntries(Object.keys(applied).map((k) => [`f:${k}`, {}]));
    n.metadata.managedFields = [...others, { manager, operation: "Apply", fieldsV1: { "f:spec": fields } }];
    if (old?.status) n.status = structuredClone(old.status);
    this.serverDefaults(n);
    this.objects.set(key, this.stamp(n, old));
    return structuredClone(n);
  }

  async create(obj: KObject): Promise<KObject> {
    this.writes.push({ verb: "create", kind: obj.kind, name: obj.metadata.name ?? "" });
    const key = keyOf(refOfObj(obj));
    if (obj.kind !== "Event" && this.objects.has(key)) throw new ApiError(409, "AlreadyExists", "exists");
    const n = structuredClone(obj);
    if (n.kind === "Secret" && n.stringData) {
      n.data = Object.fromEntries(
        Object.entries(n.stringData as Record<string, string>).map(([k, v]) => [
          k,
          Buffer.from(v).toString("base64"),
        ]),
      );
      delete n.stringData;
    }
    if (obj.kind !== "Event") this.objects.set(key, this.stamp(n));
    return structuredClone(n);
  }

  async replace(obj: KObject): Promise<KObject> {
    this.writes.push({ verb: "replace", kind: obj.kind, name: obj.metadata.name ?? "" });
    const key = keyOf(refOfObj(obj));
    const old = this.objects.get(key);
    if (!old || old.metadata.resourceVersion !== obj.metadata.resourceVersion)
      throw new ApiError(409, "Conflict", "");
    const n = structuredClone(obj);
    this.objects.set(key, this.stamp(n, old));
    return structuredClone(n);
  }

  async mergePatch(ref: ObjRef, patch: unknown, subresource?: "status"): Promise<KObject> {
    this.writes.push({ verb: "patch", kind: ref.kind, name: ref.name });
    const key = keyOf(ref);
    const old = this.objects.get(key);
    if (!old) throw new ApiError(404, "NotFound", "not found");
    const p = patch as { metadata?: { resourceVersion?: string } };
    if (p.metadata?.resourceVersion && p.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw new ApiError(409, "Conflict", "conflict");
    }
    const n = applyMergePatch(structuredClone(old), patch) as KObject;
    if (subresource === "status") n.status = (applyMergePatch(structuredClone(old), patch) as KObject).status;
    if (!subresource) n.status = old.status;
    if (n.metadata.deletionTimestamp && (n.metadata.finalizers ?? []).length === 0) {
      this.objects.delete(key);
      return n;
    }
    this.objects.set(key, this.stamp(n, old));
    return structuredClone(n);
  }

  async delete(ref: ObjRef): Promise<boolean> {
    this.writes.push({ verb: "delete", kind: ref.kind, name: ref.name });
    const key = keyOf(ref);
    const o = this.objects.get(key);
    if (!o) return false;
    if ((o.metadata.finalizers ?? []).length > 0) {
      o.metadata.deletionTimestamp = "2026-01-02T00:00:00Z";
    } else {
      this.objects.delete(key);
    }
    return true;
  }

  /** WatchSource: the fake never emits watch events; a watch ends when aborted. */
  watch(_a: string, _k: string, _o: unknown, _on: unknown, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }

  async serves(apiVersion: string): Promise<boolean> {
    return this.served.has(apiVersion);
  }

  /** Pretend the workload controllers and kubelets made everything ready. */
  makeAllReady(): void {
    for (const o of this.objects.values()) {
      if (o.kind !== "StatefulSet" && o.kind !== "Deployment") continue;
      const replicas = (o as unknown as { spec: { replicas?: number } }).spec.replicas ?? 1;
      (o as { status?: Status }).status = {
        observedGeneration: o.metadata.generation,
        replicas,
        readyReplicas: replicas,
        updatedReplicas: replicas,
        availableReplicas: replicas,
      };
    }
  }

  kinds(): string[] {
    return [...this.objects.values()].map((o) => `${o.kind}/${o.metadata.name}`).sort();
  }

  resetWrites(): void {
    this.writes = [];
  }
}

function refOfObj(o: KObject): ObjRef {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    namespace: o.metadata.namespace,
    name: o.metadata.name ?? "",
  };
}

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === "object" && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

export const silentLogger = pino({ level: "silent" });

export function newChatCluster(
  spec: Record<string, unknown> = {},
  name = "chat",
  namespace = "ns",
): ChatCluster {
  return withDefaults({
    apiVersion: "chat.chatcluster.io/v1alpha1",
    kind: "ChatCluster",
    metadata: { name, namespace },
    spec,
  } as never);
}

export function deps(
  fake: FakeKube,
  recorder = new MemoryRecorder(),
): ReconcileDeps & { recorder: MemoryRecorder } {
  return {
    client: fake,
    cache: fake,
    recorder,
    log: silentLogger,
    now: () => new Date("2026-01-01T00:00:00Z"),
  };
}

export { mergePatchDiff };
