// Wires informers → work queue → reconcile. Child objects (selected by the managed-by label) map back to
// their ChatCluster through the controller owner reference (or the cluster label, for the credentials
// Secret which has no owner). One worker per key at a time, rate-limited retries on errors, a periodic resync.
import type { Logger } from "pino";
import { type ChatCluster, clusterKey } from "../api/index.js";
import type { KubeClient, WatchSource } from "../kube/client.js";
import type { KObject } from "../kube/resources.js";
import type { RebalanceEnv } from "../rebalance/admin.js";
import { PHASES } from "../reconcile/index.js";
import { CLUSTER_LABEL, MANAGED_BY, MANAGED_BY_VALUE } from "../specs/common.js";
import { CHILD_KINDS, OPTIONAL_KINDS } from "../specs/kinds.js";
import { InformerCache } from "./cache.js";
import { ConditionType, EventReason, Reason } from "./conditions.js";
import { KubeRecorder, type Recorder } from "./events.js";
import { Informer } from "./informer.js";
import type { OperatorMetrics } from "./metrics.js";
import { RateLimiter, runWorkers, WorkQueue } from "./queue.js";
import { reconcile } from "./reconcile.js";
import { patchStatus, setCondition } from "./status.js";

export interface ControllerOptions {
  /** Watch one namespace; undefined watches all. */
  namespace?: string;
  workers?: number;
  identity: string;
  resyncMs?: number;
  rateLimiter?: RateLimiter;
  /** How the rebalancer reaches the platforms (PLATFORM_ADMIN_URL). */
  rebalance?: RebalanceEnv;
  /** Called after every reconcile (tests use it to wait for one). */
  onReconciled?: (key: string, error?: unknown) => void;
}

export class Controller {
  readonly informers = new Map<string, Informer>();
  readonly queue: WorkQueue;
  readonly cache: InformerCache;
  readonly recorder: Recorder;
  private ccInformer: Informer;
  private running?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly client: KubeClient & WatchSource,
    private readonly metrics: OperatorMetrics,
    private readonly log: Logger,
    private readonly opts: ControllerOptions,
  ) {
    this.queue = new WorkQueue(opts.rateLimiter ?? new RateLimiter(), undefined, (d) =>
      metrics.queueDepth.set(d),
    );
    this.cache = new InformerCache(this.informers);
    this.recorder = new KubeRecorder(client, opts.identity, log);
    this.ccInformer = new Informer(
      client,
      "chat.chatcluster.io/v1alpha1",
      "ChatCluster",
      { namespace: opts.namespace },
      {
        onAdd: (o) => this.enqueue(o),
        onUpdate: (o) => this.enqueue(o),
        onDelete: (o) => {
          this.cache.drop(o);
          this.queue.add(clusterKey(o));
        },
      },
      log,
    );
    // The ChatCluster informer is in the cache too, so our own status writes are seen at once (remember()).
    this.informers.set("chat.chatcluster.io/v1alpha1/ChatCluster", this.ccInformer);
    for (const [apiVersion, kind] of CHILD_KINDS) this.addChildInformer(apiVersion, kind);
  }

  private addChildInformer(apiVersion: string, kind: string): Informer {
    const onChild = (o: KObject) => {
      const owner = o.metadata.ownerReferences?.find((r) => r.controller && r.kind === "ChatCluster");
      const name = owner?.name ?? o.metadata.labels?.[CLUSTER_LABEL];
      if (name) this.queue.add(`${o.metadata.namespace}/${name}`);
    };
    const inf = new Informer(
      this.client,
      apiVersion,
      kind,
      { namespace: this.opts.namespace, labelSelector: `${MANAGED_BY}=${MANAGED_BY_VALUE}` },
      {
        onAdd: onChild,
        onUpdate: onChild,
        onDelete: (o) => {
          this.cache.drop(o);
          onChild(o);
        },
      },
      this.log,
    );
    this.informers.set(`${apiVersion}/${kind}`, inf);
    return inf;
  }

  private enqueue(o: KObject): void {
    this.queue.add(clusterKey(o));
  }

  /** Starts monitoring informers once the cluster serves those kinds (checked now and every minute). */
  private async discoverOptional(): Promise<void> {
    for (const [apiVersion, kind] of OPTIONAL_KINDS) {
      if (this.informers.has(`${apiVersion}/${kind}`)) continue;
      try {
        if (await this.client.serves(apiVersion, kind)) {
          this.log.info({ kind }, "discovered optional kind: watching it");
          const inf = this.addChildInformer(apiVersion, kind);
          inf.start();
          await inf.waitForSync();
          for (const cc of this.ccInformer.list()) this.enqueue(cc);
        }
      } catch (e) {
        this.log.warn({ kind, err: String(e) }, "discovery failed");
      }
    }
  }

  async start(): Promise<void> {
    await this.discoverOptional();
    for (const inf of this.informers.values()) inf.start();
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
    this.log.info({ namespace: this.opts.namespace ?? "(all)", kinds: this.informers.size }, "caches synced");
    this.timers.push(
      setInterval(() => {
        for (const cc of this.ccInformer.list()) this.enqueue(cc);
      }, this.opts.resyncMs ?? 600_000),
      setInterval(() => void this.discoverOptional(), 60_000),
    );
    for (const t of this.timers) t.unref();
    this.running = runWorkers(this.queue, this.opts.workers ?? 4, (key) => this.handle(key));
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.queue.shutdown();
    await this.running;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  private async handle(key: string): Promise<void> {
    const [ns, name] = key.split("/") as [string, string];
    const obj = this.cache.get("chat.chatcluster.io/v1alpha1", "ChatCluster", ns, name) as unknown as
      | ChatCluster
      | undefined;
    this.metrics.managedClusters.set(this.ccInformer.list().length);
    if (!obj) {
      this.queue.forget(key);
      return;
    }
    const log = this.log.child({ chatcluster: key });
    const end = this.metrics.duration.startTimer();
    try {
      const out = await reconcile(
        obj,
        {
          client: this.client,
          cache: this.cache,
          recorder: this.recorder,
          log,
          rebalance: this.opts.rebalance,
        },
        PHASES,
      );
      this.queue.forget(key);
      if (out.result.kind === "requeue") {
        this.metrics.reconciles.inc({ result: "requeue" });
        this.queue.addAfter(key, out.result.afterMs);
      } else {
        this.metrics.reconciles.inc({ result: "success" });
      }
      if (out.changed.length > 0) log.info({ changed: out.changed, phase: out.phase }, "reconciled");
      else log.debug({ phase: out.phase }, "reconciled: no changes");
      this.opts.onReconciled?.(key);
    } catch (e) {
      this.metrics.reconciles.inc({ result: "error" });
      this.metrics.errors.inc();
      const message = e instanceof Error ? e.message : String(e);
      log.error({ err: message, retries: this.queue.limiter.numRequeues(key) }, "reconcile failed");
      this.recorder.event(obj as unknown as KObject, "Warning", EventReason.ReconcileError, message);
      try {
        await patchStatus(this.client, structuredClone(obj), (s) => {
          setCondition(
            s,
            {
              type: ConditionType.Degraded,
              status: "True",
              reason: Reason.ReconcileError,
              message: message.slice(0, 1000),
            },
            obj.metadata.generation ?? 0,
            new Date(),
          );
        });
      } catch {}
      this.queue.addRateLimited(key);
      this.opts.onReconciled?.(key, e);
    } finally {
      end();
    }
  }
}
