// Rebalance: the executor of the pure planner (src/rebalance/planner.ts). Per evaluation it gathers the
// per-shard write rates (Prometheus), the hottest rooms (platform admin API) and shard readiness, polls the
// moves it started, registers Ready shards with the platform, runs the planner and — in Auto mode — carries
// the actions out: addShard raises status.rebalance.desiredShards (the mysql phase scales the StatefulSets),
// moveRoom starts a move through the admin API. Everything it learns goes to status.rebalance in one
// patchStatus per evaluation.
//
// Pacing: a full evaluation every spec interval (lastEvaluationTime in status, so a new leader keeps the
// pace); while a move is open or a new shard is on its way, a poll every POLL_MS. Prometheus or the platform
// being unreachable is a condition and a Warning Event, retried with exponential backoff — never a thrown
// error, never a tight loop (our own status write re-triggers a reconcile; the gate below makes it a no-op).
import { Buffer } from "node:buffer";
import { type ChatClusterStatus, type ChatClusterStatusShard, effectiveShards } from "../api/index.js";
import { ConditionType, EventReason, Reason } from "../controller/conditions.js";
import { type Phase, proceed, type ReconcileContext } from "../controller/reconcile.js";
import { type ConditionInput, patchStatus, setCondition } from "../controller/status.js";
import type { KObject } from "../kube/resources.js";
import { AdminError, PlatformAdmin } from "../rebalance/admin.js";
import { type Plan, parseDuration, plan, policyFromSpec } from "../rebalance/planner.js";
import { PrometheusClient, PrometheusError } from "../rebalance/prometheus.js";
import {
  adminUrl,
  boundMoves,
  busy,
  historyOf,
  isOpen,
  iso,
  type Move,
  mergeMove,
  plannedActionsOf,
  rebalancingCondition,
  type ShardView,
  snapshotOf,
} from "../rebalance/view.js";
import { names } from "../specs/common.js";
import { buildMysqlStatefulSet } from "../specs/mysql.js";
import { CREDENTIAL_KEYS } from "../specs/secrets.js";
import { componentOf } from "./status.js";

export const POLL_MS = 2_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const HEAT_ROOMS = 16;

type Event = { type: "Normal" | "Warning"; reason: EventReason; message: string };
export class MissingTokenError extends Error {
  override readonly name = "MissingTokenError";
}

function adminToken(ctx: ReconcileContext): string {
  const name = names.credentials(ctx.name);
  const secret = ctx.cache.get("v1", "Secret", ctx.namespace, name) as
    | (KObject & { data?: Record<string, string> })
    | undefined;
  const b64 = secret?.data?.[CREDENTIAL_KEYS.adminToken];
  if (!b64)
    throw new MissingTokenError(`credentials Secret ${name} has no ${CREDENTIAL_KEYS.adminToken} key yet`);
  return Buffer.from(b64, "base64").toString("utf8");
}

interface Memory {
  lastPoll: number;
  failures: number;
  notBefore: number;
}

/** The phase; its memory (poll pacing and backoff, per cluster uid) lives in the closure. */
export function createRebalancePhase(): Phase {
  const memory = new Map<string, Memory>();
  return {
    name: "rebalance",
    async run(ctx) {
      const cc = ctx.cc;
      const rb = cc.spec.sharding.rebalance;
      const uid = cc.metadata.uid ?? `${ctx.namespace}/${ctx.name}`;
      const gen = cc.metadata.generation ?? 0;
      if (rb.mode === "Disabled") {
        memory.delete(uid);
        await patchStatus(ctx.client, cc, (s) =>
          setCondition(
            s,
            {
              type: ConditionType.Rebalancing,
              status: "False",
              reason: Reason.RebalanceDisabled,
              message: "rebalancing is disabled",
            },
            gen,
            ctx.now(),
          ),
        );
        return proceed;
      }

      const now = ctx.now().getTime();
      const intervalMs = parseDuration(rb.interval);
      const last = cc.status?.rebalance?.lastEvaluationTime;
      const evalAt = last ? Date.parse(last) + intervalMs : now;
      let mem = memory.get(uid);
      if (!mem) {
        mem = { lastPoll: 0, failures: 0, notBefore: 0 };
        memory.set(uid, mem);
      }
      const pollAt = busy(cc) ? mem.lastPoll + POLL_MS : Number.POSITIVE_INFINITY;
      const at = Math.max(Math.min(evalAt, pollAt), mem.notBefore);
      if (at > now) {
        ctx.requeueAfter(at - now, "rebalance: next evaluation");
        return proceed;
      }
      mem.lastPoll = now;

      const draft: ChatClusterStatus = structuredClone(cc.status ?? {});
      const events: Event[] = [];
      let views: ShardView[] = [];
      let condition: ConditionInput;
      try {
        const out = await evaluate(ctx, draft, now >= evalAt, now, events);
        views = out.views;
        condition = rebalancingCondition(rb.mode, draft.rebalance?.moves ?? [], views, out.summary);
        mem.failures = 0;
        mem.notBefore = 0;
      } catch (e) {
        if (!(e instanceof PrometheusError || e instanceof AdminError || e instanceof MissingTokenError))
          throw e;
        mem.failures++;
        const backoff = Math.min(
          POLL_MS * 2 ** (mem.failures - 1),
          Math.max(intervalMs, POLL_MS),
          MAX_BACKOFF_MS,
        );
        mem.notBefore = now + backoff;
        const inFlight = (draft.rebalance?.moves ?? []).some(isOpen);
        condition = {
          type: ConditionType.Rebalancing,
          status: inFlight ? "True" : "False",
          reason: e instanceof PrometheusError ? Reason.PrometheusUnavailable : Reason.PlatformUnavailable,
          message: `${e.message.slice(0, 900)} (retrying)`,
        };
        events.push({ type: "Warning", reason: EventReason.RebalanceUnavailable, message: e.message });
        ctx.log.warn({ err: e.message, retryInMs: backoff }, "rebalance: evaluation failed");
      }
      setCondition(draft, condition, gen, ctx.now());
      if (draft.rebalance?.moves) draft.rebalance.moves = boundMoves(draft.rebalance.moves);
      const updated = await patchStatus(ctx.client, cc, (s) => {
        for (const k of Object.keys(s)) delete (s as Record<string, unknown>)[k];
        Object.assign(s, draft);
      });
      if (updated) {
        ctx.cache.remember?.({
          ...(updated as unknown as KObject),
          apiVersion: cc.apiVersion,
          kind: cc.kind,
        });
      }
      for (const ev of events) ctx.recorder.event(cc as unknown as KObject, ev.type, ev.reason, ev.message);

      if (mem.notBefore > now) ctx.requeueAfter(mem.notBefore - now, "rebalance: retry after an error");
      else if (busy(cc)) ctx.requeueAfter(POLL_MS, "rebalance: move or new shard in progress");
      else ctx.requeueAfter(intervalMs, "rebalance: next evaluation");
      return proceed;
    },
  };
}

async function evaluate(
  ctx: ReconcileContext,
  draft: ChatClusterStatus,
  full: boolean,
  now: number,
  events: Event[],
): Promise<{ views: ShardView[]; summary: string }> {
  const cc = ctx.cc;
  const rb = cc.spec.sharding.rebalance;
  const auto = rb.mode === "Auto";
  const admin = new PlatformAdmin(adminUrl(cc, ctx.rebalance), adminToken(ctx), ctx.rebalance.fetch);
  draft.rebalance ??= {};
  const state = draft.rebalance;

  // 1. The moves we started: follow them until they end.
  const moves = state.moves ?? [];
  for (let i = 0; i < moves.length; i++) {
    const m = moves[i]!;
    if (!isOpen(m)) continue;
    let next: Move;
    try {
      next = mergeMove(m, await admin.move(m.id));
    } catch (e) {
      if (!(e instanceof AdminError) || e.status !== 404) throw e;
      next = {
        ...m,
        state: "Failed",
        finishTime: iso(now),
        reason: "the platform no longer knows this move",
      };
    }
    if (!isOpen(next) && !next.finishTime) next.finishTime = iso(now);
    moves[i] = next;
    if (isOpen(next)) continue;
    const what = `room ${next.roomId} from shard ${next.fromShard} to shard ${next.toShard}`;
    if (next.state === "Done") {
      events.push({
        type: "Normal",
        reason: EventReason.MoveSucceeded,
        message: `moved ${what} (epoch ${next.epoch ?? "?"}, ${next.rowsCopied ?? 0} rows, writes paused ${next.writePauseMillis ?? "?"} ms)`,
      });
    } else {
      events.push({
        type: "Warning",
        reason: EventReason.MoveFailed,
        message: `move of ${what} ended ${next.state}: ${next.reason ?? "no reason given"}`,
      });
    }
  }

  // 2. Shards: readiness from the StatefulSets, activity from the platform; register Ready new shards.
  const count = effectiveShards({ ...cc, status: draft });
  const platform = await admin.shards();
  const active = new Set(platform.filter((s) => s.state === "active").map((s) => s.shardId));
  const rooms = new Map(platform.map((s) => [s.shardId, s.rooms]));
  const entries = new Map((draft.shards ?? []).map((s) => [s.index, s]));
  const views: ShardView[] = [];
  for (let index = 0; index < count; index++) {
    const desired = buildMysqlStatefulSet(cc, { role: "shard", index });
    const live = ctx.observed(desired as KObject) as Parameters<typeof componentOf>[1];
    const ready = live !== undefined && componentOf(desired as KObject, live).ready;
    if (ready && !active.has(index) && auto) {
      await admin.activate(index);
      active.add(index);
      events.push({
        type: "Normal",
        reason: EventReason.ShardRegistered,
        message: `activated shard ${index} in the platform: it can now receive rooms`,
      });
    }
    const entry = entries.get(index);
    if (entry && active.has(index) && (ready || entry.state !== "Provisioning")) entry.state = "Registered";
    views.push({ index, ready, active: active.has(index) });
  }
  if (!full) return { views, summary: "no move or new shard in progress" };

  // 3. A full evaluation: measure, plan, act.
  if (!rb.prometheus?.url) throw new PrometheusError("spec.sharding.rebalance.prometheus.url is not set");
  const prom = new PrometheusClient(rb.prometheus.url, ctx.rebalance.fetch);
  const rates = await prom.shardWriteRates(rb.prometheus.selector ?? "", rb.prometheus.window ?? "1m");
  const heat = await admin.heat(HEAT_ROOMS);
  const hot = new Map(
    heat.shards.map((s) => [
      s.shardId,
      s.rooms.map((r) => ({ roomId: String(r.roomId), writesPerSecond: r.rate })),
    ]),
  );
  const snapshot = snapshotOf(cc, draft, views, rates, hot);
  const result: Plan = plan({ snapshot, policy: policyFromSpec(rb), history: historyOf(draft), now });
  state.lastEvaluationTime = iso(now);
  state.fleetLoadPercent = Math.round(result.fleetLoadPercent);
  state.plannedActions = plannedActionsOf(result.actions);
  for (const s of draft.shards ?? []) recordLoad(s, rates, rooms, rb.shardCapacityWritesPerSecond);
  ctx.log.info({ fleetLoadPercent: result.fleetLoadPercent, actions: result.actions.length }, result.summary);
  if (!auto) return { views, summary: `planned ${result.actions.length} action(s): ${result.summary}` };

  for (const a of result.actions) {
    if (a.type === "addShard") {
      state.desiredShards = a.desiredShards;
      state.lastActionTime = iso(now);
      events.push({ type: "Normal", reason: EventReason.ShardRequested, message: a.reason });
      // The requested shards count as on their way at once (Rebalancing=True), before their StatefulSets exist.
      for (let index = views.length; index < a.desiredShards; index++) {
        views.push({ index, ready: false, active: false });
      }
      continue;
    }
    try {
      const started = await admin.startMove(Number(a.roomId), a.to, a.reason.slice(0, 500));
      state.moves = [
        ...(state.moves ?? []),
        mergeMove(
          {
            id: started.id,
            roomId: a.roomId,
            fromShard: started.fromShard ?? a.from,
            toShard: started.toShard ?? a.to,
            state: "Pending",
            startTime: started.startTime ?? iso(now),
          },
          started,
        ),
      ];
      state.lastActionTime = iso(now);
      events.push({ type: "Normal", reason: EventReason.MoveStarted, message: a.reason });
    } catch (e) {
      // Refused (conflict, room gone, target not active): this plan's move is void; the next plan sees anew.
      if (!(e instanceof AdminError) || e.unavailable) throw e;
      events.push({
        type: "Warning",
        reason: EventReason.MoveFailed,
        message: `could not start moving room ${a.roomId} to shard ${a.to}: ${e.message}`,
      });
    }
  }
  return { views, summary: result.summary };
}

/** The rebalancer's load figures on a status.shards entry. */
function recordLoad(
  s: ChatClusterStatusShard,
  rates: Map<number, number>,
  rooms: Map<number, number>,
  capacity: number,
): void {
  const r = rates.get(s.index) ?? 0;
  s.writesPerSecond = r.toFixed(1);
  s.loadPercent = Math.round((r / capacity) * 100);
  const n = rooms.get(s.index);
  if (n !== undefined) s.rooms = n;
}

export const rebalancePhase = createRebalancePhase();
