// List+watch informer with a local store. Re-lists on 410 Gone (resourceVersion too old), resumes the
// watch from the last seen resourceVersion when a stream ends, and restarts with exponential backoff
// after errors. Handlers see add/update/delete, including the diffs a re-list reveals.
import type { Logger } from "pino";
import type { WatchSource } from "../kube/client.js";
import { ApiError } from "../kube/http.js";
import type { KObject } from "../kube/resources.js";

export interface InformerHandlers {
  onAdd?(o: KObject): void;
  onUpdate?(o: KObject, old: KObject): void;
  onDelete?(o: KObject): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  watchTimeoutSeconds?: number;
}

class GoneError extends Error {}

const objKey = (o: KObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

export class Informer {
  private store = new Map<string, KObject>();
  private rv: string | undefined;
  private stopped = false;
  private abort = new AbortController();
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private loop?: Promise<void>;
  /** how many full lists were done (1 at start, +1 per 410) — for tests and metrics */
  lists = 0;

  constructor(
    private readonly source: WatchSource,
    readonly apiVersion: string,
    readonly kind: string,
    private readonly opts: InformerOptions,
    private readonly handlers: InformerHandlers,
    private readonly log?: Logger,
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void> = abortableSleep,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop?.catch(() => {});
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  get(namespace: string | undefined, name: string): KObject | undefined {
    return this.store.get(`${namespace ?? ""}/${name}`);
  }

  list(namespace?: string, match?: Record<string, string>): KObject[] {
    return [...this.store.values()].filter(
      (o) =>
        (namespace === undefined || o.metadata.namespace === namespace) &&
        Object.entries(match ?? {}).every(([k, v]) => o.metadata.labels?.[k] === v),
    );
  }

  private async relist(): Promise<void> {
    const res = await this.source.list(
      this.apiVersion,
      this.kind,
      this.opts.namespace,
      this.opts.labelSelector,
    );
    this.lists++;
    const seen = new Set<string>();
    for (const o of res.items) {
      const k = objKey(o);
      seen.add(k);
      const old = this.store.get(k);
      this.store.set(k, o);
      if (!old) this.handlers.onAdd?.(o);
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.handlers.onUpdate?.(o, old);
    }
    for (const [k, o] of this.store) {
      if (!seen.has(k)) {
        this.store.delete(k);
        this.handlers.onDelete?.(o);
      }
    }
    this.rv = res.resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private onEvent(type: string, obj: Record<string, unknown>): void {
    if (type === "ERROR") {
      const s = obj as { code?: number; message?: string };
      if (s.code === 410) throw new GoneError(s.message ?? "410 Gone");
      throw new ApiError(s.code ?? 500, "", `watch error: ${s.message ?? JSON.stringify(obj)}`);
    }
    const o = { ...(obj as unknown as KObject), apiVersion: this.apiVersion, kind: this.kind };
    if (o.metadata?.resourceVersion) this.rv = o.metadata.resourceVersion;
    if (type === "BOOKMARK") return;
    const k = objKey(o);
    const old = this.store.get(k);
    if (type === "DELETED") {
      this.store.delete(k);
      this.handlers.onDelete?.(o);
    } else {
      this.store.set(k, o);
      if (old) this.handlers.onUpdate?.(o, old);
      else this.handlers.onAdd?.(o);
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    const base = this.opts.backoffBaseMs ?? 800;
    const max = this.opts.backoffMaxMs ?? 30_000;
    while (!this.stopped) {
      try {
        if (this.rv === undefined) await this.relist();
        await this.source.watch(
          this.apiVersion,
          this.kind,
          {
            namespace: this.opts.namespace,
            labelSelector: this.opts.labelSelector,
            resourceVersion: this.rv ?? "",
            timeoutSeconds: this.opts.watchTimeoutSeconds,
          },
          (e) => this.onEvent(e.type, e.object),
          this.abort.signal,
        );
        failures = 0; // the server closed a healthy stream: resume from this.rv
      } catch (e) {
        if (this.stopped) return;
        if (e instanceof GoneError || (e instanceof ApiError && e.code === 410)) {
          this.log?.info({ kind: this.kind }, "watch expired (410 Gone): re-listing");
          this.rv = undefined;
          continue;
        }
        failures++;
        const delay = Math.min(max, base * 2 ** (failures - 1));
        this.log?.warn(
          { kind: this.kind, err: String(e), delayMs: delay },
          "watch failed: restarting with backoff",
        );
        await this.sleep(delay, this.abort.signal);
        // After repeated failures start over from a fresh list (the store may have missed events).
        if (failures >= 3) this.rv = undefined;
      }
    }
  }
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
