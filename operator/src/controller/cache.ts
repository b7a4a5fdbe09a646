// Read access to observed objects. In the operator it is served by informers; in unit tests by the fake.
import type { KObject } from "../kube/resources.js";
import type { Informer } from "./informer.js";

export interface ObjectCache {
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObject | undefined;
  list(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    labels: Record<string, string>,
  ): KObject[];
  /** Is this kind watched at all (monitoring kinds may not exist)? */
  has(apiVersion: string, kind: string): boolean;
  /** Records a write's response so the next reconcile does not act on a lagging informer (optional). */
  remember?(o: KObject): void;
}

const rvNum = (o: KObject | undefined) => Number(o?.metadata.resourceVersion ?? 0);

export class InformerCache implements ObjectCache {
  /** Responses of our own writes, newer than what the informer has shown so far. */
  private written = new Map<string, KObject>();

  constructor(private readonly informers: Map<string, Informer>) {}

  private inf(apiVersion: string, kind: string): Informer | undefined {
    return this.informers.get(`${apiVersion}/${kind}`);
  }

  has(apiVersion: string, kind: string): boolean {
    return this.inf(apiVersion, kind) !== undefined;
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObject | undefined {
    const seen = this.inf(apiVersion, kind)?.get(namespace, name);
    const key = `${apiVersion}/${kind}/${namespace ?? ""}/${name}`;
    const mine = this.written.get(key);
    if (!mine) return seen;
    // Resource versions are etcd revisions: the informer has caught up once it shows one at least as new.
    if (seen && rvNum(seen) >= rvNum(mine)) {
      this.written.delete(key);
      return seen;
    }
    return mine;
  }

  /** Deleted objects must not live on in the write overlay. */
  drop(o: KObject): void {
    this.written.delete(`${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
  }

  remember(o: KObject): void {
    if (!o.metadata?.resourceVersion) return;
    this.written.set(`${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`, o);
    if (this.written.size > 10_000) this.written.clear();
  }

  list(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    labels: Record<string, string>,
  ): KObject[] {
    return this.inf(apiVersion, kind)?.list(namespace, labels) ?? [];
  }
}
