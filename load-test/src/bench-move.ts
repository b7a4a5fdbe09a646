// ChatCluster room-move benchmark (issue 6). One run prints:
//
//   (a) copy rate: one room filled with BENCH_MOVE_MESSAGES messages (through the send
//       path, outbox published and search-indexed by the worker) is moved to the other
//       shard with no other load: messages/s and rows/s (all room tables) of the copy.
//   (b) write pause: senders write to a small room (and to other rooms) at a fixed rate
//       over HTTP while it is moved BENCH_MOVES times back and forth: per move, the pause
//       the clients saw (longest ack gap of the room; latency of the sends caught in it)
//       and the mover's own writePauseMillis, p50/p99 — target ≤ 100 ms p99 (printed,
//       never asserted).
//   (c) cluster send throughput during a move: closed-loop senders saturate the platform
//       while the big room is moved back; acked msgs/s during the move ÷ before it.
//   Integrity at the end: every acknowledged message stored once, on the room's shard
//   only, seqs 1..N without gaps.
//
// Two platform instances run in this process on ephemeral ports (A: all roles with the
// in-process event bus, so the outbox is relayed and messages are indexed; B: gateway +
// realtime); senders talk to both, from a child process (src/move-load.ts). Moves go
// through the admin API over HTTP exactly as the operator issues them (POST /admin/moves,
// GET /admin/moves/:id). Real local MariaDB shards and Redis (.run/infra.env), with
// databases of its own (chat_bench<id>_*), dropped at the end. Bounded in time.
//
//   npm run bench:move -w load-test              # full run (a few minutes)
//   npm run bench:move -w load-test -- --quick   # small room, 4 moves: a smoke test
//   options: --json <file>   also write the figures as JSON
import { writeFileSync } from "node:fs";
import os from "node:os";
import { type ChatApp, createChatApp } from "../../services/src/app.js";
import { benchConfig, createBenchDatabases, dropAllBenchDatabases } from "./infra.js";
import { type MoveRun, runMove } from "./move-admin.js";
import { ackRate, latencies, movePauses, summarize, type Window } from "./move-analysis.js";
import { checkIntegrity, collectAcked, fill, roomRows, seed, waitPipeline } from "./move-data.js";
import { type LoadSender, wallNow } from "./move-load.js";
import { LoadChild } from "./move-load-child.js";
import { fmt, type LatencySummary, readCpuPressureUs, sleep } from "./stats.js";

// ---------------------------------------------------------------------------------------
// Parameters

const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const jsonIdx = argv.indexOf("--json");
const JSON_OUT = jsonIdx >= 0 ? argv[jsonIdx + 1] : undefined;
const envInt = (name: string, def: number): number => {
  const v = process.env[name];
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n : def;
};

const P = {
  /** Messages in the big room moved by (a) and (c). */
  messages: envInt("BENCH_MOVE_MESSAGES", QUICK ? 5_000 : 50_000),
  fillConcurrency: envInt("BENCH_MOVE_FILL_CONCURRENCY", 200),
  senders: envInt("BENCH_MOVE_SENDERS", 50),
  otherRooms: envInt("BENCH_MOVE_OTHER_ROOMS", 10),
  /** (b): total sends/s, half of them to the moving room. */
  rate: envInt("BENCH_MOVE_RATE", 200),
  moves: envInt("BENCH_MOVES", QUICK ? 4 : 12),
  baselineSeconds: envInt("BENCH_MOVE_BASELINE_SECONDS", QUICK ? 3 : 5),
  /** (c): sends in flight (closed loop) and the window before the move. */
  window: envInt("BENCH_MOVE_WINDOW", 100),
  beforeSeconds: envInt("BENCH_MOVE_BEFORE_SECONDS", QUICK ? 4 : 8),
  afterSeconds: QUICK ? 2 : 4,
  drainMs: 10_000,
  /** Bounded wait for the worker to relay the outbox and index the big room. */
  pipelineWaitMs: envInt("BENCH_MOVE_PIPELINE_WAIT_MS", 300_000),
  /** A move still running after this is aborted (POST /admin/moves/:id/abort) and reported as such. */
  moveTimeoutMs: envInt("BENCH_MOVE_TIMEOUT_MS", 300_000),
};
const DEADLINE_MS = QUICK ? 10 * 60_000 : 40 * 60_000;
const TARGET_PAUSE_P99_MS = 100;

const log = (msg: string) =>
  process.stderr.write(`[bench-move ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---------------------------------------------------------------------------------------

const ms = (x: number) => `${fmt(x, x < 10 ? 1 : 0)} ms`;
const lat = (l: LatencySummary) => `p50 ${ms(l.p50)} p99 ${ms(l.p99)} max ${ms(l.max)} (n=${l.count})`;
const codes = (e: Record<string, number>) =>
  Object.keys(e).length
    ? Object.entries(e)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")
    : "none";
const tally = (xs: string[]) => {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
};
const phaseMs = (run: MoveRun, from: string, to: string) => {
  const a = run.seen[from];
  const b = run.seen[to];
  return a !== undefined && b !== undefined ? b - a : Number.NaN;
};

async function main(): Promise<void> {
  const started = new Date();
  const load0 = os.loadavg();
  const psi0 = readCpuPressureUs();
  const t0 = performance.now();
  log(`mode ${QUICK ? "QUICK (smoke)" : "full"}; params ${JSON.stringify(P)}`);

  const apps: ChatApp[] = [];
  let load: LoadChild | null = null;
  const deadline = setTimeout(() => {
    log(`deadline of ${DEADLINE_MS / 1000} s exceeded: tearing down`);
    void (async () => {
      await load?.close().catch(() => {});
      await dropAllBenchDatabases().catch(() => {});
      process.exit(3);
    })();
  }, DEADLINE_MS);
  deadline.unref();

  const dbs = await createBenchDatabases(2, "m");
  try {
    const a = await createChatApp(benchConfig(dbs, { CHAT_ROLES: "all" }));
    apps.push(a);
    await a.listen();
    const b = await createChatApp(benchConfig(dbs));
    apps.push(b);
    await b.listen();
    const moveCfg = a.config.moves;
    const moveOpts = { timeoutMs: P.moveTimeoutMs, log };
    const seeded = await seed(a, dbs.id, P);
    const { users, bigRoom, movingRoom, otherRooms } = seeded;
    const allRooms = [bigRoom, movingRoom, ...otherRooms];
    const acked = new Map<number, Set<string>>();
    const shardOf = async (room: number) => (await a.directory.lookup(room, { fresh: true }))?.shardId ?? -1;
    const otherShard = (s: number) => (s === 0 ? 1 : 0);

    // --- (a) copy rate ----------------------------------------------------------------------
    log(`filling room ${bigRoom} with ${P.messages} messages (${P.fillConcurrency} concurrent sends)`);
    const f0 = performance.now();
    const filled = await fill(a, users, bigRoom, P.messages, P.fillConcurrency);
    const fillS = (performance.now() - f0) / 1000;
    acked.set(bigRoom, new Set(Array.from({ length: filled }, (_, k) => `f${k}`)));
    log(
      `filled in ${fmt(fillS, 1)} s (${fmt(filled / fillS)} msgs/s); waiting for the worker to relay and index`,
    );
    const pipelineS = await waitPipeline(a, bigRoom, filled, P.pipelineWaitMs);
    log(
      pipelineS === null
        ? "pipeline did NOT catch up in time"
        : `pipeline caught up after ${fmt(pipelineS, 1)} s`,
    );
    const bigFrom = await shardOf(bigRoom);
    const sourceRows = await roomRows(a, bigFrom, bigRoom);
    const totalRows = Object.values(sourceRows).reduce((x, y) => x + y, 0);
    log(
      `(a) moving room ${bigRoom} (${totalRows} rows) shard ${bigFrom} → ${otherShard(bigFrom)}, no other load`,
    );
    const copyLoad0 = os.loadavg();
    const runA = await runMove(a, bigRoom, otherShard(bigFrom), "bench: copy rate", moveOpts);
    const targetRows = await roomRows(a, otherShard(bigFrom), bigRoom);
    const copyS = ((runA.seen.CatchingUp ?? runA.doneAt) - runA.postAt) / 1000;
    const flippedAt =
      runA.seen.Flipped ?? runA.seen.CleaningUp ?? (runA.move.state === "Done" ? runA.doneAt : null);
    const toFlipS = flippedAt === null ? Number.NaN : (flippedAt - runA.postAt) / 1000;
    log(
      `(a) ${runA.move.state}: copy ${fmt(copyS, 1)} s, flipped after ${fmt(toFlipS, 1)} s, done after ${fmt((runA.doneAt - runA.postAt) / 1000, 1)} s, pause ${runA.move.writePauseMillis} ms`,
    );

    // --- (b) write pause ------------------------------------------------------------------
    load = new LoadChild();
    const senders = (rooms: (i: number) => number[]): LoadSender[] =>
      users.map((u, i) => ({ token: u.token, rooms: rooms(i), url: (i % 2 === 0 ? a : b).url() }));
    const sendersB = senders((i) => [movingRoom, otherRooms[i % otherRooms.length] as number]);
    log(
      `(b) ${P.senders} senders, ${P.rate} sends/s (half to room ${movingRoom}), ${P.baselineSeconds} s baseline, then ${P.moves} moves`,
    );
    const loadB0 = os.loadavg();
    const bStart = wallNow();
    await load.start({ cmd: "start", mode: "open", senders: sendersB, rate: P.rate, prefix: "b" });
    await sleep(P.baselineSeconds * 1000);
    const baseline: Window = { from: bStart + 1000, to: wallNow() };
    const runsB: MoveRun[] = [];
    for (let i = 0; i < P.moves; i++) {
      const from = await shardOf(movingRoom);
      const run = await runMove(a, movingRoom, otherShard(from), `bench: write pause ${i + 1}`, moveOpts);
      runsB.push(run);
      log(
        `(b) move ${i + 1}/${P.moves} ${from}→${otherShard(from)}: ${run.move.state}, writePauseMillis ${run.move.writePauseMillis}, ${fmt((run.doneAt - run.postAt) / 1000, 2)} s`,
      );
      await sleep(1000);
    }
    const bEnd = wallNow();
    await sleep(2000);
    const resB = await load.stop(P.drainMs);
    collectAcked(resB, acked);
    const loadB1 = os.loadavg();
    // The fence lies between the end of the copy and the flip; polling sees both within 25 ms.
    const fenceWindows: Window[] = runsB.map((r) => ({
      from: (r.seen.CatchingUp ?? r.postAt) - 50,
      to: (r.seen.Flipped ?? r.seen.CleaningUp ?? r.doneAt) + 50,
    }));
    const pauses = movePauses(resB.samples, movingRoom, fenceWindows);
    // Noise floor: the same statistic over baseline windows of the median fence-window length.
    const winLen = summarize(fenceWindows.map((w) => w.to - w.from)).p50;
    const noiseWindows: Window[] = [];
    for (let s = baseline.from; s + winLen <= baseline.to; s += winLen)
      noiseWindows.push({ from: s, to: s + winLen });
    const noise = movePauses(resB.samples, movingRoom, noiseWindows).map((p) => p.gapMs);
    const moveSpan: Window = { from: runsB[0]?.postAt ?? bEnd, to: bEnd };
    const bMoving = latencies(resB.samples, moveSpan, (r) => r === movingRoom);
    const bOther = latencies(resB.samples, moveSpan, (r) => r !== movingRoom);
    const bBaseline = latencies(resB.samples, baseline, (r) => r === movingRoom);

    // --- (c) throughput during a move -----------------------------------------------------
    // The room of (b), by now a few thousand messages and still written: a hot room, as
    // the rebalancer would pick. (Moving the big room under load takes minutes here.)
    const sendersC = senders((i) => [movingRoom, otherRooms[i % otherRooms.length] as number]);
    const cFrom = await shardOf(movingRoom);
    const cRows = await roomRows(a, cFrom, movingRoom);
    log(
      `(c) closed loop, ${P.window} sends in flight over ${P.senders} senders; ${P.beforeSeconds} s, then room ${movingRoom} moves ${cFrom} → ${otherShard(cFrom)}`,
    );
    const cStart = wallNow();
    await load.start({ cmd: "start", mode: "closed", senders: sendersC, window: P.window, prefix: "c" });
    await sleep((P.beforeSeconds + 3) * 1000);
    const loadC0 = os.loadavg();
    const runC = await runMove(a, movingRoom, otherShard(cFrom), "bench: throughput during a move", moveOpts);
    log(
      `(c) ${runC.move.state}: copy ${fmt(((runC.seen.CatchingUp ?? runC.doneAt) - runC.postAt) / 1000, 1)} s, done after ${fmt((runC.doneAt - runC.postAt) / 1000, 1)} s, pause ${runC.move.writePauseMillis} ms`,
    );
    const afterFrom = wallNow();
    await sleep(P.afterSeconds * 1000);
    const cEnd = wallNow();
    const resC = await load.stop(P.drainMs);
    collectAcked(resC, acked);
    const loadC1 = os.loadavg();
    await load.close();
    load = null;
    const before: Window = { from: cStart + 3000, to: runC.postAt };
    const during: Window = { from: runC.postAt, to: runC.doneAt };
    const duringCopy: Window = { from: runC.postAt, to: runC.seen.CatchingUp ?? runC.doneAt };
    const after: Window = { from: afterFrom, to: cEnd };
    const rBefore = ackRate(resC.samples, before);
    const rDuring = ackRate(resC.samples, during);
    const rCopy = ackRate(resC.samples, duringCopy);
    const rAfter = ackRate(resC.samples, after);

    // --- integrity ------------------------------------------------------------------------
    await sleep(500);
    const integrity = await checkIntegrity(a, allRooms, acked);
    const load1 = os.loadavg();
    const stallPct = ((readCpuPressureUs() - psi0) / 1000 / (performance.now() - t0)) * 100;

    // --- report ---------------------------------------------------------------------------
    const writePauses = runsB.filter((r) => r.move.state === "Done").map((r) => r.move.writePauseMillis ?? 0);
    const mover = summarize(writePauses);
    const gaps = summarize(pauses.map((p) => p.gapMs));
    const hit = summarize(pauses.flatMap((p) => p.fenceHit));
    const movingRate = ackRate(resB.samples, { from: bStart, to: bEnd }, movingRoom);
    const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
    const lines: string[] = [];
    const p = (s = "") => lines.push(s);
    p();
    p("=".repeat(100));
    p(
      `ChatCluster room-move benchmark — ${QUICK ? "QUICK SMOKE RUN (not the reference figures)" : "full run"}`,
    );
    p(
      `date ${started.toISOString()}; node ${process.version}; ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}; ${fmt(os.totalmem() / 2 ** 30, 1)} GiB`,
    );
    p(
      `load average at start ${la(load0)}, at end ${la(load1)}; box CPU stall (PSI some) over the run ${fmt(stallPct)}%`,
    );
    p(
      "CAVEAT: 2 shared cores (MariaDB ×4, Redis, Kafka, a kube control plane, other engineers' builds and tests, and",
    );
    p("        this load generator). Figures are what this box gave at the time, not capacity.");
    p(
      `platform: 2 instances in this process (A all roles + in-process event bus, B gateway+realtime), 2 shards; mover settings: CHAT_MOVE_BATCH_ROWS=${moveCfg.batchRows}, CHAT_MOVE_ROWS_PER_SECOND=${moveCfg.rowsPerSecond} (0 = unthrottled), CHAT_MOVE_MAX_WRITE_PAUSE_MS=${moveCfg.maxWritePauseMs}`,
    );
    p();
    p(`(a) copy rate — room of ${filled} messages, no other load (load average ${la(copyLoad0)})`);
    p(
      `  fill: ${fmt(fillS, 1)} s through MessageService.send (${fmt(filled / fillS)} msgs/s); outbox relayed and room indexed ${pipelineS === null ? "NOT within the wait" : `${fmt(pipelineS, 1)} s later`}`,
    );
    p(`  rows on the source shard: ${JSON.stringify(sourceRows)} = ${totalRows}`);
    p(
      `  move ${runA.move.id}: ${runA.move.state}; copy phase ${fmt(copyS, 2)} s → ${fmt(filled / copyS)} messages/s, ${fmt((runA.copyRows ?? runA.move.rowsCopied) / copyS)} rows/s (${runA.copyRows ?? "n/a"} rows copied, all tables)`,
    );
    p(
      `  POST → flipped ${Number.isNaN(toFlipS) ? "never" : `${fmt(toFlipS, 2)} s`} (first catch-up ${ms(phaseMs(runA, "CatchingUp", "Fenced"))}), → ${runA.move.state} ${fmt((runA.doneAt - runA.postAt) / 1000, 2)} s (clean-up of the source, or rollback, included); writePauseMillis ${runA.move.writePauseMillis}; rowsCopied ${runA.move.rowsCopied}${runA.move.state === "Done" ? "" : `; ${runA.abortedByBench ? "ABORTED by the bench after the timeout" : "outcome"}: ${runA.move.reason}`}`,
    );
    p(
      `  rows on the target shard after the move: ${JSON.stringify(targetRows)}; messages equal: ${targetRows.messages === sourceRows.messages ? "yes" : "NO"}`,
    );
    p();
    p(
      `(b) write pause — ${P.senders} HTTP senders over both instances, ${P.rate} sends/s open loop (${fmt(movingRate)}/s to the moving room, the rest over ${P.otherRooms} other rooms); ${runsB.length} moves back and forth (load average ${la(loadB0)} → ${la(loadB1)})`,
    );
    p(
      `  moves: ${codes(tally(runsB.map((r) => r.move.state)))}; each POST → done p50 ${ms(summarize(runsB.map((r) => r.doneAt - r.postAt)).p50)}`,
    );
    for (const [i, r] of runsB.entries()) {
      const pz = pauses[i];
      p(
        `  move ${String(i + 1).padStart(2)} ${r.move.fromShard}→${r.move.toShard}: ${r.move.state.padEnd(7)} rows copied ${String(r.move.rowsCopied).padStart(8)}  writePauseMillis ${String(r.move.writePauseMillis ?? "-").padStart(5)}  client ack gap ${ms(pz?.gapMs ?? Number.NaN)}  sends caught ${pz?.fenceHit.length ?? 0}  POST → end ${ms(r.doneAt - r.postAt)}${r.move.state === "Done" ? "" : ` (${r.move.reason})`}`,
      );
    }
    p(`  mover writePauseMillis:                    ${lat(mover)}`);
    p(`  client-seen pause (longest ack gap of the room per move): ${lat(gaps)}`);
    p(`    same statistic in baseline windows without a move (noise floor): ${lat(summarize(noise))}`);
    p(`  sends that hit the fence, first attempt → ack: ${lat(hit)}`);
    p(
      `  moving room, all sends during the moves: ${lat(summarize(bMoving))}; baseline: ${lat(summarize(bBaseline))}`,
    );
    p(`  other rooms during the moves: ${lat(summarize(bOther))}`);
    p(
      `  sends ${resB.sent}, acked ${resB.acked}, skipped ${resB.skipped}; retried attempts: ${codes(resB.retried)}; given up: ${codes(resB.failures)}; sends that got 503 CHAT_ROOM_MOVING: ${resB.samples.moving.filter((x) => x > 0).length}`,
    );
    const p99 = Math.max(mover.p99, gaps.p99);
    p(
      `  TARGET write pause ≤ ${TARGET_PAUSE_P99_MS} ms p99: mover ${ms(mover.p99)}, clients ${ms(gaps.p99)} → ${p99 <= TARGET_PAUSE_P99_MS ? "MET" : "NOT MET"} (printed, not asserted)`,
    );
    p();
    p(
      `(c) cluster send throughput during a move — closed loop, ${P.window} sends in flight, ${P.senders} senders over the moving room and ${P.otherRooms} others (load average ${la(loadC0)} → ${la(loadC1)})`,
    );
    p(
      `  move ${runC.move.id} of room ${movingRoom} (${cRows.messages} messages, ${Object.values(cRows).reduce((x, y) => x + y, 0)} rows at the start): ${runC.move.state}${runC.move.state === "Done" ? "" : ` (${runC.move.reason})`}, copy ${fmt((duringCopy.to - duringCopy.from) / 1000, 1)} s, POST → done ${fmt((during.to - during.from) / 1000, 1)} s, writePauseMillis ${runC.move.writePauseMillis}`,
    );
    p(`  acked msgs/s before ${fmt(rBefore)} (${fmt((before.to - before.from) / 1000, 1)} s)`);
    p(
      `  during the move ${fmt(rDuring)} → ratio ${fmt(rDuring / rBefore, 2)}; during its copy phase ${fmt(rCopy)} → ratio ${fmt(rCopy / rBefore, 2)}`,
    );
    p(`  after ${fmt(rAfter)} → ratio ${fmt(rAfter / rBefore, 2)}`);
    p(
      `  the moving room's own sends: before ${fmt(ackRate(resC.samples, before, movingRoom))}/s, during the move ${fmt(ackRate(resC.samples, during, movingRoom))}/s; send latency before ${lat(summarize(latencies(resC.samples, before)))}, during ${lat(summarize(latencies(resC.samples, during)))}`,
    );
    p(
      `  sends ${resC.sent}, acked ${resC.acked}; retried attempts: ${codes(resC.retried)}; given up: ${codes(resC.failures)}`,
    );
    p();
    p(
      `integrity (${integrity.rooms} rooms): acked ${integrity.acked}, missing ${integrity.ackedMissing}, stored ${integrity.stored}, rooms with seq gaps ${integrity.roomsWithGaps}, duplicate clientMsgIds ${integrity.duplicateClientIds}, rows left on a shard the room is not on ${integrity.strayRows} → ${integrity.ok ? "OK" : "PROBLEM"}`,
    );
    p("=".repeat(100));
    process.stdout.write(`${lines.join("\n")}\n`);

    if (JSON_OUT) {
      writeFileSync(
        JSON_OUT,
        JSON.stringify(
          {
            date: started.toISOString(),
            quick: QUICK,
            params: P,
            machine: {
              cpus: os.cpus().length,
              model: os.cpus()[0]?.model,
              node: process.version,
              load0,
              load1,
            },
            copy: { run: runA, filled, fillS, pipelineS, sourceRows, targetRows, copyS, toFlipS },
            pause: { runs: runsB, mover, clientGaps: gaps, fenceHit: hit, noise: summarize(noise) },
            throughput: { run: runC, before: rBefore, during: rDuring, duringCopy: rCopy, after: rAfter },
            integrity,
          },
          null,
          2,
        ),
      );
      log(`wrote ${JSON_OUT}`);
    }
    if (!integrity.ok) process.exitCode = 2;
  } finally {
    await load?.close().catch(() => {});
    for (const app of apps) await app.stop().catch(() => {});
    await dbs.drop().catch((e: unknown) => log(`drop ${dbs.id} failed: ${String(e)}`));
    clearTimeout(deadline);
  }
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    log(`${sig}: dropping benchmark databases`);
    void dropAllBenchDatabases().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  async (err: unknown) => {
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await dropAllBenchDatabases().catch(() => {});
    process.exit(1);
  },
);
