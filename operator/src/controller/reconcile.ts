// The reconcile: a thin shell over a flat list of phases (src/reconcile/<phase>.ts), run in order. Each
// phase returns continue, requeue (stop here, come back later) or stop. Desired objects come from the pure
// builders in src/specs and go through ensure(): compared with the observed object first, applied
// (server-side apply, one field manager, force) only when something differs — so a reconcile of an
// unchanged cluster sends zero writes.
import type { Logger } from "pino";
import { type ChatCluster, withDefaults } from "../api/index.js";
import type { KubeClient } from "../kube/client.js";
import { needsApply, withSpecHash } from "../kube/compare.js";
import type { KObject } from "../kube/resources.js";
import type { RebalanceEnv } from "../rebalance/admin.js";
import type { ObjectCache } from "./cache.js";
import type { Reason } from "./conditions.js";
import type { Recorder } from "./events.js";

export type PhaseResult =
  | { kind: "continue" }
  | { kind: "requeue"; afterMs: number; reason: string }
  | { kind: "stop"; reason: string };

export const proceed: PhaseResult = { kind: "continue" };
export const requeue = (afterMs: number, reason: string): PhaseResult => ({
  kind: "requeue",
  afterMs,
  reason,
});
export const stop = (reason: string): PhaseResult => ({ kind: "stop", reason });

export interface Phase {
  name: string;
  run(ctx: ReconcileContext): Promise<PhaseResult>;
}

export interface Problem {
  reason: Reason;
  message: string;
}

export interface ReconcileDeps {
  client: KubeClient;
  cache: ObjectCache;
  recorder: Recorder;
  log: Logger;
  now?: () => Date;
  /** How the rebalance phase reaches Prometheus and the platforms (defaults: in-cluster Services, fetch). */
  rebalance?: RebalanceEnv;
}

export class ReconcileContext {
  readonly cc: ChatCluster;
  readonly client: KubeClient;
  readonly cache: ObjectCache;
  readonly recorder: Recorder;
  readonly log: Logger;
  readonly now: () => Date;
  readonly rebalance: RebalanceEnv;
  /** Every object the phases want to exist, in order (prune deletes owned objects not in here). */
  readonly desired: KObject[] = [];
  /** Problems found on the way that the status phase reports (Degraded). */
  readonly problems: Problem[] = [];
  /** Objects this reconcile created or changed. */
  readonly changed: string[] = [];
  /** The soonest "come back in" a phase asked for while letting the later phases run (see requeueAfter). */
  requeueHint?: { afterMs: number; reason: string };

  constructor(cc: ChatCluster, deps: ReconcileDeps) {
    this.cc = withDefaults(cc);
    this.client = deps.client;
    this.cache = deps.cache;
    this.recorder = deps.recorder;
    this.log = deps.log;
    this.now = deps.now ?? (() => new Date());
    this.rebalance = deps.rebalance ?? {};
  }

  get name(): string {
    return this.cc.metadata.name ?? "";
  }

  get namespace(): string {
    return this.cc.metadata.namespace ?? "default";
  }

  observed(o: { apiVersion: string; kind: string; metadata: { namespace?: string; name?: string } }) {
    return this.cache.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name ?? "");
  }

  /** Make one desired object true; writes only when the observed object differs. */
  async ensure(obj: object | undefined): Promise<"created" | "updated" | "unchanged"> {
    if (!obj) return "unchanged";
    const desired = withSpecHash(obj as KObject);
    this.desired.push(desired);
    const live = this.observed(desired);
    if (!needsApply(desired, live)) return "unchanged";
    const res = await this.client.apply(desired);
    this.cache.remember?.({ ...res, apiVersion: desired.apiVersion, kind: desired.kind });
    const what = `${desired.kind}/${desired.metadata.name}`;
    this.changed.push(what);
    this.log.info({ object: what }, live ? "updated" : "created");
    return live ? "updated" : "created";
  }

  async ensureAll(objs: (object | undefined)[]): Promise<void> {
    for (const o of objs) await this.ensure(o);
  }

  /** Asks for another reconcile within afterMs without stopping the phases after this one; the soonest wins. */
  requeueAfter(afterMs: number, reason: string): void {
    if (this.requeueHint === undefined || afterMs < this.requeueHint.afterMs) {
      this.requeueHint = { afterMs, reason };
    }
  }
}

/** A phase's own result, or the context's requeue hint when that comes sooner. */
function withHint(ctx: ReconcileContext, result: PhaseResult): PhaseResult {
  const hint = ctx.requeueHint;
  if (!hint || result.kind === "stop") return result;
  if (result.kind === "requeue" && result.afterMs <= hint.afterMs) return result;
  return requeue(hint.afterMs, hint.reason);
}

export interface ReconcileOutcome {
  result: PhaseResult;
  phase: string;
  changed: string[];
}

export async function reconcile(
  cc: ChatCluster,
  deps: ReconcileDeps,
  phases: Phase[],
): Promise<ReconcileOutcome> {
  const ctx = new ReconcileContext(cc, deps);
  for (const p of phases) {
    const result = await p.run(ctx);
    if (result.kind !== "continue")
      return { result: withHint(ctx, result), phase: p.name, changed: ctx.changed };
  }
  return { result: withHint(ctx, proceed), phase: "done", changed: ctx.changed };
}
