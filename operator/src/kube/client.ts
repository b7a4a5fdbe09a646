// The operator's port to the API server. Every write goes through here (so they can be counted) and every
// apply is server-side apply under one field manager with force.
import { FIELD_MANAGER } from "../specs/common.js";
import { ApiError, type HttpKube, isNotFound, type WatchEvent } from "./http.js";
import { type KObject, type ObjRef, resourceInfo, resourcePath } from "./resources.js";

export type WriteVerb = "apply" | "create" | "replace" | "patch" | "delete";

export interface ListResult {
  items: KObject[];
  resourceVersion: string;
}

export interface KubeClient {
  get(ref: ObjRef): Promise<KObject | undefined>;
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<ListResult>;
  /** Server-side apply (application/apply-patch+yaml; JSON is valid YAML), force, FIELD_MANAGER unless named. */
  apply(obj: KObject, subresource?: "status", fieldManager?: string): Promise<KObject>;
  create(obj: KObject): Promise<KObject>;
  /** PUT with the object's resourceVersion (optimistic concurrency: 409 on conflict). */
  replace(obj: KObject): Promise<KObject>;
  mergePatch(ref: ObjRef, patch: unknown, subresource?: "status"): Promise<KObject>;
  /** false when it was already gone. */
  delete(
    ref: ObjRef,
    opts?: { propagationPolicy?: "Background" | "Foreground" | "Orphan" },
  ): Promise<boolean>;
  /** Discovery: does the cluster serve this kind (e.g. ServiceMonitor)? */
  serves(apiVersion: string, kind: string): Promise<boolean>;
}

export interface WatchSource {
  list: KubeClient["list"];
  watch(
    apiVersion: string,
    kind: string,
    opts: { namespace?: string; labelSelector?: string; resourceVersion: string; timeoutSeconds?: number },
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

export type OnWrite = (verb: WriteVerb, kind: string) => void;

export class HttpKubeClient implements KubeClient, WatchSource {
  private discovery = new Map<string, { at: number; kinds: Set<string> }>();

  constructor(
    readonly http: HttpKube,
    private readonly onWrite: OnWrite = () => {},
    readonly fieldManager = FIELD_MANAGER,
  ) {}

  private path(ref: ObjRef, subresource?: string): string {
    return (
      resourcePath(ref.apiVersion, ref.kind, ref.namespace, ref.name) + (subresource ? `/${subresource}` : "")
    );
  }

  async get(ref: ObjRef): Promise<KObject | undefined> {
    try {
      return await this.http.request<KObject>("GET", this.path(ref));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): Promise<ListResult> {
    const items: KObject[] = [];
    let cont: string | undefined;
    let rv = "";
    do {
      const page = await this.http.request<{
        items: KObject[];
        metadata: { resourceVersion: string; continue?: string };
      }>("GET", resourcePath(apiVersion, kind, namespace), {
        query: { labelSelector, limit: 500, continue: cont },
      });
      for (const it of page.items) items.push({ ...it, apiVersion, kind });
      rv = page.metadata.resourceVersion;
      cont = page.metadata.continue || undefined;
    } while (cont);
    return { items, resourceVersion: rv };
  }

  async watch(
    apiVersion: string,
    kind: string,
    opts: { namespace?: string; labelSelector?: string; resourceVersion: string; timeoutSeconds?: number },
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    await this.http.watch(
      resourcePath(apiVersion, kind, opts.namespace),
      {
        labelSelector: opts.labelSelector,
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: opts.timeoutSeconds ?? 300,
      },
      onEvent,
      signal,
    );
  }

  async apply(obj: KObject, subresource?: "status", fieldManager?: string): Promise<KObject> {
    this.onWrite("apply", obj.kind);
    const { managedFields: _m, resourceVersion: _rv, ...metadata } = obj.metadata;
    return await this.http.request<KObject>("PATCH", this.path(refFromObj(obj), subresource), {
      query: { fieldManager: fieldManager ?? this.fieldManager, force: true },
      body: { ...obj, metadata },
      contentType: "application/apply-patch+yaml",
    });
  }

  async create(obj: KObject): Promise<KObject> {
    this.onWrite("create", obj.kind);
    return await this.http.request<KObject>(
      "POST",
      resourcePath(obj.apiVersion, obj.kind, obj.metadata.namespace),
      { query: { fieldManager: this.fieldManager }, body: obj },
    );
  }

  async replace(obj: KObject): Promise<KObject> {
    this.onWrite("replace", obj.kind);
    return await this.http.request<KObject>("PUT", this.path(refFromObj(obj)), {
      query: { fieldManager: this.fieldManager },
      body: obj,
    });
  }

  async mergePatch(ref: ObjRef, patch: unknown, subresource?: "status"): Promise<KObject> {
    this.onWrite("patch", ref.kind);
    return await this.http.request<KObject>("PATCH", this.path(ref, subresource), {
      query: { fieldManager: this.fieldManager },
      body: patch,
      contentType: "application/merge-patch+json",
    });
  }

  async delete(ref: ObjRef, opts: { propagationPolicy?: string } = {}): Promise<boolean> {
    this.onWrite("delete", ref.kind);
    try {
      await this.http.request("DELETE", this.path(ref), {
        body: {
          kind: "DeleteOptions",
          apiVersion: "v1",
          propagationPolicy: opts.propagationPolicy ?? "Background",
        },
      });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async serves(apiVersion: string, kind: string): Promise<boolean> {
    const hit = this.discovery.get(apiVersion);
    if (hit && Date.now() - hit.at < 60_000) return hit.kinds.has(kind);
    let kinds = new Set<string>();
    try {
      const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const res = await this.http.request<{ resources: { kind: string; name: string }[] }>("GET", base);
      kinds = new Set(res.resources.filter((r) => !r.name.includes("/")).map((r) => r.kind));
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 503))) throw e;
    }
    this.discovery.set(apiVersion, { at: Date.now(), kinds });
    return kinds.has(kind);
  }
}

function refFromObj(o: KObject): ObjRef {
  resourceInfo(o.apiVersion, o.kind);
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    namespace: o.metadata.namespace,
    name: o.metadata.name ?? "",
  };
}
