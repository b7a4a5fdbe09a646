import { describe, expect, it } from "vitest";
import type { ChatCluster, ChatClusterStatusRebalanceMove } from "../api/index.js";
import { MemoryRecorder } from "../controller/events.js";
import { type Phase, type ReconcileDeps, reconcile } from "../controller/reconcile.js";
import type { KObject } from "../kube/resources.js";
import type { AdminMove } from "../rebalance/admin.js";
import { boundMoves, FINISHED_MOVES_KEPT, mergeMove, rebalancingCondition } from "../rebalance/view.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { PHASES } from "./index.js";
import { createRebalancePhase } from "./rebalance.js";

const PROM = "http://prom.test:9090";
const ADMIN = "http://platform.test:8080";

/** Prometheus and the platform's admin API, as far as the phase can tell: answers by URL. */
class FakeWorld {
  rates = new Map<number, number>();
  heat = new Map<number, { roomId: number; rate: number }[]>();
  shards = new Map<number, { state: string; rooms: number }>([
    [0, { state: "active", rooms: 3 }],
    [1, { state: "active", rooms: 3 }],
    [2, { state: "spare", rooms: 0 }],
  ]);
  moves = new Map<string, AdminMove>();
  calls: string[] = [];
  tokens = new Set<string>();
  promDown = false;
  nextMove = 1;

  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    this.calls.push(`${method} ${url.host}${url.pathname}`);
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    if (url.origin === PROM) {
      if (this.promDown)
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
        });
      expect(url.searchParams.get("query")).toContain("chat_messages_sent_total");
      return json(200, {
        status: "success",
        data: {
          resultType: "vector",
          result: [...this.rates].map(([shard, r]) => ({
            metric: { shard: String(shard) },
            value: [0, String(r)],
          })),
        },
      });
    }
    const auth = new Headers(init?.headers).get("authorization") ?? "";
    this.tokens.add(auth.replace(/^Bearer /, ""));
    const p = url.pathname;
    if (p === "/admin/shards") {
      return json(200, { shards: [...this.shards].map(([shardId, s]) => ({ shardId, ...s })) });
    }
    if (p === "/admin/heat") {
      return json(200, {
        halfLifeSeconds: 60,
        instances: 1,
        shards: [...this.heat].map(([shardId, rooms]) => ({
          shardId,
          rate: rooms.reduce((a, r) => a + r.rate, 0),
          trackedRooms: rooms.length,
          rooms: rooms.map((r) => ({ ...r, share: 0, rateError: 0 })),
        })),
      });
    }
    const act = /^\/admin\/shards\/(\d+)\/activate$/.exec(p);
    if (act && method === "POST") {
      const s = this.shards.get(Number(act[1]));
      if (!s) return json(404, { code: "CHAT_SHARD_NOT_FOUND" });
      s.state = "active";
      return json(200, { shardId: Number(act[1]), ...s });
    }
    if (p === "/admin/moves" && method === "POST") {
      const body = JSON.parse(String(init?.body)) as { roomId: number; toShard: number };
      const from = [...this.heat].find(([, rooms]) => rooms.some((r) => r.roomId === body.roomId))?.[0] ?? 0;
      const move: AdminMove = {
        id: `m${this.nextMove++}`,
        roomId: body.roomId,
        fromShard: from,
        toShard: body.toShard,
        state: "Pending",
        epoch: null,
        rowsCopied: 0,
        writePauseMillis: null,
        startTime: "2026-01-01T00:00:00.000Z",
        finishTime: null,
        reason: null,
      };
      this.moves.set(move.id, move);
      return json(202, { move });
    }
    const mv = /^\/admin\/moves\/([^/]+)$/.exec(p);
    if (mv) {
      const m = this.moves.get(decodeURIComponent(mv[1]!));
      return m ? json(200, { move: m }) : json(404, { code: "CHAT_MOVE_NOT_FOUND" });
    }
    return json(404, { code: "CHAT_ROUTE_NOT_FOUND" });
  };
}

const get = (fake: FakeKube) =>
  fake.get("chat.chatcluster.io/v1alpha1", "ChatCluster", "ns", "chat") as unknown as ChatCluster;

function setup(mode: "Disabled" | "DryRun" | "Auto", extra: Record<string, unknown> = {}, shards = 2) {
  const fake = new FakeKube();
  const world = new FakeWorld();
  const recorder = new MemoryRecorder();
  const clock = { t: Date.parse("2026-01-01T00:00:00Z") };
  fake.seed(
    newChatCluster({
      mysql: { shards, maxShards: 3 },
      sharding: {
        rebalance: {
          mode,
          prometheus: { url: PROM },
          interval: "30s",
          cooldown: "1m",
          shardCapacityWritesPerSecond: 100,
          addShardThresholdPercent: 30,
          moveThresholdPercent: 60,
          hysteresisPercent: 10,
          ...extra,
        },
      },
    }) as unknown as KObject,
  );
  // One phase instance per test: its pacing memory must not leak between tests.
  const phases: Phase[] = [...PHASES.filter((p) => p.name !== "rebalance"), createRebalancePhase()];
  const d: ReconcileDeps = {
    ...deps(fake, recorder),
    now: () => new Date(clock.t),
    rebalance: { adminUrl: ADMIN, fetch: world.fetch as typeof fetch },
  };
  const run = async () => {
    const out = await reconcile(get(fake), d, phases);
    fake.makeAllReady();
    return out;
  };
  return { fake, world, recorder, clock, run };
}

const cond = (fake: FakeKube) => get(fake).status?.conditions?.find((c) => c.type === "Rebalancing");

/** Shard 0 carries two hot rooms (70 %), shard 1 is cool (20 %): the fleet is at 45 %. */
function hotFleet(world: FakeWorld) {
  world.rates = new Map([
    [0, 70],
    [1, 20],
  ]);
  world.heat = new Map([
    [
      0,
      [
        { roomId: 11, rate: 45 },
        { roomId: 12, rate: 25 },
      ],
    ],
    [1, [{ roomId: 21, rate: 20 }]],
  ]);
}

describe("rebalance phase", () => {
  it("Disabled: Rebalancing=False once, no outside call, then zero writes", async () => {
    const { fake, world, run } = setup("Disabled");
    await run();
    await run();
    expect(cond(fake)).toMatchObject({ status: "False", reason: "RebalanceDisabled" });
    fake.resetWrites();
    await run();
    expect(fake.writes.filter((w) => w.kind !== "Event")).toEqual([]);
    expect(world.calls).toEqual([]);
  });

  it("DryRun: plans and reports, acts on nothing, and waits for the interval before asking again", async () => {
    const { fake, world, clock, run } = setup("DryRun");
    hotFleet(world);
    await run();
    clock.t += 30_000;
    const out = await run();
    const st = get(fake).status!;
    expect(st.rebalance?.plannedActions).toEqual([expect.objectContaining({ type: "AddShard", toShard: 2 })]);
    expect(st.rebalance?.desiredShards).toBeUndefined();
    expect(st.rebalance?.fleetLoadPercent).toBe(45);
    expect(st.shards?.map((s) => [s.state, s.writesPerSecond, s.loadPercent])).toEqual([
      ["Registered", "70.0", 70],
      ["Registered", "20.0", 20],
    ]);
    expect(world.calls.some((c) => c.startsWith("POST"))).toBe(false);
    expect(cond(fake)).toMatchObject({ status: "False", reason: "RebalanceIdle" });
    // informer-triggered reconciles within the interval: no call out, no write
    world.calls = [];
    fake.resetWrites();
    clock.t += 5_000;
    const again = await run();
    expect(world.calls).toEqual([]);
    expect(fake.writes).toEqual([]);
    expect(again.result).toMatchObject({ kind: "requeue" });
    expect((again.result as { afterMs: number }).afterMs).toBeLessThanOrEqual(30_000);
    expect(out.result.kind).toBe("requeue");
    clock.t += 30_000;
    await run();
    expect(world.calls).toContain("GET prom.test:9090/api/v1/query");
  });

  it("Auto: adds a shard, registers it once Ready, moves the hottest room there, and reports the move Done", async () => {
    const { fake, world, recorder, clock, run } = setup("Auto");
    hotFleet(world);
    await run(); // provisions the cluster; its shards have no capacity before they are Ready
    expect(get(fake).status?.rebalance?.desiredShards).toBeUndefined();
    clock.t += 30_000;
    await run(); // the next evaluation sees the fleet hot: add a shard
    expect(get(fake).status?.rebalance?.desiredShards).toBe(3);
    expect(recorder.events.map((e) => e.reason)).toContain("ShardRequested");
    expect(cond(fake)).toMatchObject({ status: "True", reason: "AddingShard" });
    await run(); // the mysql phase creates shard 2
    expect(fake.kinds()).toContain("StatefulSet/chat-shard-2");
    clock.t += 2_000;
    await run(); // shard 2 ready now: registered
    expect(world.calls).toContain("POST platform.test:8080/admin/shards/2/activate");
    expect(get(fake).status?.shards?.map((s) => s.state)).toEqual(["Registered", "Registered", "Registered"]);
    expect(recorder.events.map((e) => e.reason)).toContain("ShardRegistered");
    // the platform template was not touched by the scale-up
    const env = (
      fake.get("apps/v1", "Deployment", "ns", "chat-gateway") as unknown as {
        spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
      }
    ).spec.template.spec.containers[0]!.env;
    expect(env.find((e) => e.name === "CHAT_MYSQL_SPARE_URLS")?.value).toContain("chat-shard-2");

    // within the cooldown nothing moves
    clock.t += 30_000;
    await run();
    expect(world.moves.size).toBe(0);
    // after it: the hottest room that fits goes to the new, empty shard
    clock.t += 60_000;
    world.shards.get(2)!.state = "active";
    await run();
    expect([...world.moves.values()].map((m) => [m.roomId, m.toShard])).toEqual([[11, 2]]);
    let moves = get(fake).status?.rebalance?.moves ?? [];
    expect(moves).toEqual([
      expect.objectContaining({ id: "m1", roomId: "11", fromShard: 0, toShard: 2, state: "Pending" }),
    ]);
    expect(cond(fake)).toMatchObject({ status: "True", reason: "MovingRooms" });
    expect(recorder.events.map((e) => e.reason)).toContain("MoveStarted");

    // polled every 2 s while open
    Object.assign(world.moves.get("m1")!, {
      state: "Done",
      epoch: 3,
      rowsCopied: 1234,
      writePauseMillis: 42,
      finishTime: "2026-01-01T00:02:00.000Z",
    });
    clock.t += 2_000;
    await run();
    moves = get(fake).status?.rebalance?.moves ?? [];
    expect(moves[0]).toMatchObject({ state: "Done", epoch: 3, rowsCopied: 1234, writePauseMillis: 42 });
    expect(moves[0]?.finishTime).toBe("2026-01-01T00:02:00.000Z");
    expect(recorder.events.find((e) => e.reason === "MoveSucceeded")?.message).toContain("room 11");
    expect(cond(fake)).toMatchObject({ status: "False", reason: "RebalanceIdle" });
    // the operator's admin token, and only it, was sent
    const secret = fake.get("v1", "Secret", "ns", "chat-credentials") as unknown as {
      data: Record<string, string>;
    };
    expect([...world.tokens]).toEqual([Buffer.from(secret.data["admin-token"]!, "base64").toString()]);
  });

  it("a failed move is reported with its reason", async () => {
    const { fake, world, recorder, clock, run } = setup("Auto", { cooldown: "1s" }, 3);
    world.shards.get(2)!.state = "active";
    hotFleet(world);
    await run();
    clock.t += 30_000;
    await run();
    expect(world.moves.size).toBe(1);
    Object.assign(world.moves.get("m1")!, {
      state: "Failed",
      reason: "verify: checksum mismatch on messages",
    });
    clock.t += 2_000;
    await run();
    expect(get(fake).status?.rebalance?.moves?.[0]).toMatchObject({
      state: "Failed",
      reason: "verify: checksum mismatch on messages",
    });
    expect(get(fake).status?.rebalance?.moves?.[0]?.finishTime).toBeDefined();
    expect(recorder.events.find((e) => e.reason === "MoveFailed")).toMatchObject({ type: "Warning" });
  });

  it("Prometheus down: a condition and a Warning, then exponential backoff instead of a tight loop", async () => {
    const { fake, world, recorder, clock, run } = setup("DryRun");
    world.promDown = true;
    await run();
    await run();
    const c = cond(fake);
    expect(c).toMatchObject({ status: "False", reason: "PrometheusUnavailable" });
    expect(c?.message).toContain("ECONNREFUSED");
    expect(recorder.events.find((e) => e.reason === "RebalanceUnavailable")).toMatchObject({
      type: "Warning",
    });
    world.calls = [];
    fake.resetWrites();
    const out = await run(); // re-triggered at once (e.g. by our own status write): no call, no write
    expect(world.calls).toEqual([]);
    expect(fake.writes).toEqual([]);
    expect(out.result).toMatchObject({ kind: "requeue" });
    // the next attempts come 2 s, then 4 s, … later
    clock.t += 4_100;
    await run();
    const attempts = world.calls.filter((x) => x.startsWith("GET prom")).length;
    expect(attempts).toBe(1);
    clock.t += 4_100;
    world.promDown = false;
    await run();
    expect(cond(fake)).toMatchObject({ reason: "RebalanceIdle" });
  });

  it("a platform that refuses the token is PlatformUnavailable, and the token appears nowhere", async () => {
    const { fake, recorder } = setup("DryRun");
    const token = () =>
      Buffer.from(
        (fake.get("v1", "Secret", "ns", "chat-credentials") as unknown as { data: Record<string, string> })
          .data["admin-token"]!,
        "base64",
      ).toString();
    // a platform that answers 401
    const phases = [...PHASES.filter((p) => p.name !== "rebalance"), createRebalancePhase()];
    const deny: typeof fetch = async (input) =>
      String(input).startsWith(PROM)
        ? new Response(JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }))
        : new Response(
            JSON.stringify({ code: "CHAT_UNAUTHENTICATED", title: "Authentication is required" }),
            {
              status: 401,
            },
          );
    await reconcile(
      get(fake),
      { ...deps(fake, recorder), rebalance: { adminUrl: ADMIN, fetch: deny } },
      phases,
    );
    const c = cond(fake);
    expect(c).toMatchObject({ reason: "PlatformUnavailable" });
    expect(c?.message).toContain("401 CHAT_UNAUTHENTICATED");
    const everything = JSON.stringify([get(fake).status, recorder.events]);
    expect(everything).not.toContain(token());
  });
});

describe("rebalance helpers", () => {
  it("a move takes the platform's figures; an unknown state and a success's request reason are not copied", () => {
    const m = { id: "1", roomId: "5", fromShard: 0, toShard: 2, state: "Copying" as const };
    const a = {
      id: "1",
      roomId: 5,
      fromShard: 0,
      toShard: 2,
      epoch: 4,
      rowsCopied: 10,
      writePauseMillis: 12.4,
      startTime: "2026-01-01T00:00:00.000Z",
      finishTime: null,
      reason: "shard 0 is hot",
    };
    expect(mergeMove(m, { ...a, state: "Fenced" })).toEqual({
      ...m,
      state: "Fenced",
      epoch: 4,
      rowsCopied: 10,
      writePauseMillis: 12,
    });
    expect(mergeMove(m, { ...a, state: "Teleporting" as never }).state).toBe("Copying");
    expect(mergeMove(m, { ...a, state: "Failed", reason: "verify failed" }).reason).toBe("verify failed");
  });

  it("keeps every open move and the most recent finished ones", () => {
    const m = (
      i: number,
      state: ChatClusterStatusRebalanceMove["state"],
    ): ChatClusterStatusRebalanceMove => ({
      id: `m${i}`,
      roomId: String(i),
      fromShard: 0,
      toShard: 1,
      state,
      startTime: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      ...(state === "Done" ? { finishTime: new Date(Date.UTC(2026, 0, 1, 1, i)).toISOString() } : {}),
    });
    const moves = [...Array.from({ length: 50 }, (_, i) => m(i, "Done")), m(99, "Copying")];
    const kept = boundMoves(moves);
    expect(kept).toHaveLength(FINISHED_MOVES_KEPT + 1);
    expect(kept.at(-1)?.id).toBe("m99");
    expect(kept[0]?.id).toBe(`m${50 - FINISHED_MOVES_KEPT}`);
  });

  it("Rebalancing is True while a shard is on its way or a move is open", () => {
    const views = [
      { index: 0, ready: true, active: true },
      { index: 1, ready: false, active: false },
    ];
    expect(rebalancingCondition("Auto", [], views, "")).toMatchObject({
      status: "True",
      reason: "AddingShard",
    });
    expect(rebalancingCondition("Auto", [], [{ index: 1, ready: true, active: false }], "").reason).toBe(
      "RegisteringShard",
    );
    expect(rebalancingCondition("Auto", [], [views[0]!], "idle")).toMatchObject({
      status: "False",
      message: "mode Auto: idle",
    });
  });
});
