// ChatCluster core benchmark — one run prints every figure of issue 3's BENCHMARK
// section next to its target:
//
//   1. durable messages/s into one shard and into two shards (and the ratio), through
//      the platform's send path: MessageService.send — what both POST /v1/rooms/:id/messages
//      and the socket "message:send" handler call (validation, membership check, routing
//      fence, ShardWriter group commit, outbox row, fan-out publish). A writer-only figure
//      (ShardWriter.send, the group-commit layer alone) is printed as a diagnostic.
//   2. p50/p99 send→deliver latency, N sockets over M rooms, at fixed send rates
//      (default 100, 1,000 and 5,000 msgs/s): the platform runs in this process on an ephemeral
//      port on 127.0.0.1; the sockets run in a forked child process (src/clients.ts).
//   3. realtime deliveries/s, platform vs a bare socket.io broadcast server started here
//      (src/bare-server.ts), same client harness, and the ratio.
//
// Uses the real local MariaDB shards and Redis (.run/infra.env) with its own databases
// (chat_bench<id>_*), dropped at the end. Every loop is bounded in count and time.
//
//   npm run bench -w load-test              # full run (a few minutes)
//   npm run bench -w load-test -- --quick   # ~30 s of measurement: a smoke test
//   options: --json <file>   also write the figures as JSON
import { type ChildProcess, fork } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import mysql, { type RowDataPacket } from "mysql2/promise";
import { type ChatApp, createChatApp } from "../../services/src/app.js";
import { startBareServer } from "./bare-server.js";
import type {
  ClientCommand,
  ClientReply,
  ClientUser,
  ConnectResult,
  RateResult,
  SaturateResult,
} from "./clients.js";
import {
  type BenchDatabases,
  benchConfig,
  createBenchDatabases,
  describeServer,
  dropAllBenchDatabases,
  readInfraEnv,
} from "./infra.js";
import { fmt, type LatencySummary, mapLimit, readCpuPressureUs, Samples, sleep } from "./stats.js";

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
  /** Users = sockets; each user is a member of exactly one room. */
  users: envInt("BENCH_SOCKETS", QUICK ? 200 : 1000),
  rooms: envInt("BENCH_ROOMS", QUICK ? 20 : 100),
  durableConcurrency: envInt("BENCH_DURABLE_CONCURRENCY", QUICK ? 400 : 1000),
  durableWarmup: QUICK ? 1 : 2,
  durableSeconds: envInt("BENCH_DURABLE_SECONDS", QUICK ? 2 : 10),
  writerSeconds: QUICK ? 2 : 5,
  rates: (process.env.BENCH_RATES ?? "100,1000,5000")
    .split(",")
    .map(Number)
    .filter((n) => n > 0),
  rateSeconds: envInt("BENCH_RATE_SECONDS", QUICK ? 2 : 10),
  /** Bounded wait for the last acks and deliveries of a fixed-rate phase. */
  drainMs: QUICK ? 2_000 : 5_000,
  /** Bounded wait for the platform to store its backlog before the next phase. */
  settleMaxMs: QUICK ? 10_000 : 60_000,
  saturateWindow: envInt("BENCH_SATURATE_WINDOW", 200),
  saturateWarmup: 1,
  saturateSeconds: envInt("BENCH_SATURATE_SECONDS", QUICK ? 2 : 8),
};
/** Hard bound on the whole run; on expiry everything is torn down and the run fails. */
const DEADLINE_MS = QUICK ? 5 * 60_000 : 20 * 60_000;

const TARGETS = {
  durablePerShard: 20_000,
  twoShardRatio: 1.8,
  deliveriesRatio: 0.8,
  p99Ms: 50,
  p99AtRate: 5000,
};

const log = (msg: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const verdict = (ok: boolean) => (ok ? "MET" : "NOT MET");

// ---------------------------------------------------------------------------------------
// Seeding: users and rooms through the platform's own services.

interface SeededUser {
  id: number;
  token: string;
  roomId: number;
}

async function seed(app: ChatApp, users: number, rooms: number, tag: string): Promise<SeededUser[]> {
  const t0 = performance.now();
  const sessions = await mapLimit(
    Array.from({ length: users }, (_, i) => i),
    16,
    (i) => app.accounts.register({ username: `b${tag}u${i}`, password: "correct horse battery staple" }),
  );
  // The first `rooms` users each create one public room; everyone else joins one.
  const roomIds = await mapLimit(
    Array.from({ length: rooms }, (_, r) => r),
    8,
    async (r) => {
      const owner = sessions[r]!;
      const room = await app.rooms.create(owner.user.id, { kind: "public", name: `bench room ${r}` });
      return room.id;
    },
  );
  const out: SeededUser[] = sessions.map((s, i) => ({
    id: s.user.id,
    token: s.accessToken,
    roomId: roomIds[i % rooms]!,
  }));
  await mapLimit(out.slice(rooms), 16, (u) => app.rooms.join(u.id, u.roomId));
  log(`seeded ${users} users / ${rooms} rooms in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  return out;
}

// ---------------------------------------------------------------------------------------
// (1) durable throughput

interface DurableResult {
  label: string;
  shards: number;
  path: "service" | "writer";
  concurrency: number;
  seconds: number;
  msgsPerSec: number;
  /** All acknowledged sends of the phase, warm-up and drain included (for the integrity check). */
  ackedTotal: number;
  errors: Record<string, number>;
  latency: LatencySummary;
  meanBatch: number;
  processCpu: number;
  loopDelayP99Ms: number;
  cpuStallPct: number;
  perShardRooms: Record<string, number>;
  db: (WindowStats["db"][number] & { queriesPerMsg: number })[];
}

async function counterSum(app: ChatApp, name: "messagesSent" | "sendBatches"): Promise<number> {
  const v = await app.metrics[name].get();
  return v.values.reduce((a, x) => a + x.value, 0);
}

async function durablePhase(
  app: ChatApp,
  users: SeededUser[],
  label: string,
  path: "service" | "writer",
  seconds: number,
): Promise<DurableResult> {
  const concurrency = P.durableConcurrency;
  const routes = new Map<number, Awaited<ReturnType<ChatApp["directory"]["lookup"]>>>();
  for (const u of users)
    if (!routes.has(u.roomId)) routes.set(u.roomId, await app.directory.lookup(u.roomId));
  const perShardRooms: Record<string, number> = {};
  for (const r of routes.values())
    perShardRooms[String(r?.shardId)] = (perShardRooms[String(r?.shardId)] ?? 0) + 1;

  const errors: Record<string, number> = {};
  const latency = new Samples(5_000_000);
  const t0 = performance.now();
  const winStart = t0 + P.durableWarmup * 1000;
  const winEnd = winStart + seconds * 1000;
  let inWindow = 0;
  let ackedTotal = 0;
  let snap0: Snapshot | null = null;
  let snap1: Snapshot | null = null;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const observer = (async () => {
    await sleep(Math.max(0, winStart - performance.now()));
    snap0 = await snapshot(app);
    loop.enable();
    await sleep(Math.max(0, winEnd - performance.now()));
    snap1 = await snapshot(app);
    loop.disable();
  })();
  let n = 0;
  const lane = async (j: number) => {
    const u = users[j % users.length]!;
    const route = routes.get(u.roomId)!;
    // Bounded: ends at winEnd; each iteration awaits one send.
    while (performance.now() < winEnd) {
      const k = n++;
      const started = performance.now();
      try {
        const body = `durable ${label} ${k}`;
        const clientMsgId = `d${label}-${k}`;
        if (path === "service") {
          await app.messages.send(u.id, { roomId: u.roomId, body, clientMsgId }, "socket");
        } else {
          await app.messages
            .writer(route.shardId)
            .send(route, { senderId: u.id, body, parentSeq: null, mentions: [], clientMsgId });
        }
        ackedTotal++;
        const now = performance.now();
        if (now >= winStart && now < winEnd) {
          inWindow++;
          latency.add(now - started);
        }
      } catch (err) {
        const code = (err as { code?: string }).code ?? (err as Error).name ?? "error";
        errors[code] = (errors[code] ?? 0) + 1;
        if ((errors[code] ?? 0) > 10_000) throw err;
        await sleep(5);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, j) => lane(j)));
  await observer;
  const w = windowStats(snap0, snap1, loop);
  const stored = path === "service" ? w.sent : inWindow;
  return {
    label,
    shards: app.shards.all().length,
    path,
    concurrency,
    seconds,
    msgsPerSec: inWindow / seconds,
    ackedTotal,
    errors,
    latency: latency.summary(),
    meanBatch: w.batches > 0 ? stored / w.batches : Number.NaN,
    processCpu: w.cpu,
    loopDelayP99Ms: w.loopP99Ms,
    cpuStallPct: w.cpuStallPct,
    perShardRooms,
    db: w.db.map((d) => ({ ...d, queriesPerMsg: d.queries / Math.max(1, stored) })),
  };
}

// Window bookkeeping: platform counters, process CPU, event-loop delay, the kernel's
// CPU pressure (share of time some runnable task waited for a CPU: the box's contention)
// and each shard server's query / commit / redo-fsync counters.

interface DbCounters {
  server: string;
  queries: number;
  commits: number;
  logFsyncs: number;
  /** mariadbd CPU seconds (from /proc/<pid from @@pid_file>/stat; NaN if unreadable). */
  cpuSeconds: number;
}

interface Snapshot {
  at: number;
  sent: number;
  batches: number;
  cpu: NodeJS.CpuUsage;
  psi: number;
  db: DbCounters[];
}

let statusConns: mysql.Connection[] | null = null;
const serverPids = new Map<mysql.Connection, number>();

/** CPU seconds a local process has used (utime + stime; USER_HZ = 100 on Linux). */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

async function dbCounters(): Promise<DbCounters[]> {
  if (!statusConns) {
    statusConns = [];
    for (const url of readInfraEnv().shardUrls.slice(0, 2)) {
      const c = await mysql.createConnection(url);
      statusConns.push(c);
      // The servers run on this box: their pid file tells which process to watch.
      try {
        const [[r]] = await c.query<RowDataPacket[]>("SELECT @@pid_file AS f");
        const pid = Number(readFileSync(String(r?.f), "utf8").trim());
        if (Number.isSafeInteger(pid) && pid > 0) serverPids.set(c, pid);
      } catch {
        // not local or not readable: CPU stays n/a
      }
    }
  }
  return Promise.all(
    statusConns.map(async (c) => {
      const [rows] = await c.query<RowDataPacket[]>(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions','Com_commit','Innodb_data_fsyncs')",
      );
      const v = new Map(rows.map((r) => [String(r.Variable_name), Number(r.Value)]));
      return {
        server: `${c.config.host}:${c.config.port}`,
        queries: v.get("Questions") ?? Number.NaN,
        commits: v.get("Com_commit") ?? Number.NaN,
        logFsyncs: v.get("Innodb_data_fsyncs") ?? Number.NaN,
        cpuSeconds: serverPids.has(c) ? processCpuSeconds(serverPids.get(c) as number) : Number.NaN,
      };
    }),
  );
}

async function snapshot(app: ChatApp | null): Promise<Snapshot> {
  return {
    at: performance.now(),
    sent: app ? await counterSum(app, "messagesSent") : 0,
    batches: app ? await counterSum(app, "sendBatches") : 0,
    cpu: process.cpuUsage(),
    psi: readCpuPressureUs(),
    db: await dbCounters(),
  };
}

interface WindowStats {
  sent: number;
  batches: number;
  cpu: number;
  cpuStallPct: number;
  loopP99Ms: number;
  db: (DbCounters & { perSec: { queries: number; commits: number; logFsyncs: number; cpu: number } })[];
}

function windowStats(
  a: Snapshot | null,
  b: Snapshot | null,
  loop: ReturnType<typeof monitorEventLoopDelay>,
): WindowStats {
  if (!a || !b) throw new Error("measurement window did not complete");
  const ms = b.at - a.at;
  const cpuUs = b.cpu.user - a.cpu.user + (b.cpu.system - a.cpu.system);
  return {
    sent: b.sent - a.sent,
    batches: b.batches - a.batches,
    cpu: cpuUs / 1000 / ms,
    cpuStallPct: ((b.psi - a.psi) / 1000 / ms) * 100,
    loopP99Ms: loop.percentile(99) / 1e6,
    db: b.db.map((d, i) => {
      const d0 = a.db[i] as DbCounters;
      const x = {
        server: d.server,
        queries: d.queries - d0.queries,
        commits: d.commits - d0.commits,
        logFsyncs: d.logFsyncs - d0.logFsyncs,
        cpuSeconds: d.cpuSeconds - d0.cpuSeconds,
      };
      return {
        ...x,
        perSec: {
          queries: x.queries / (ms / 1000),
          commits: x.commits / (ms / 1000),
          logFsyncs: x.logFsyncs / (ms / 1000),
          cpu: x.cpuSeconds / (ms / 1000),
        },
      };
    }),
  };
}

interface IntegrityResult {
  stored: number;
  acked: number;
  perShard: Record<string, number>;
  roomsWithGaps: number;
  duplicateClientIds: number;
}

/** Every acknowledged send is stored exactly once, seqs 1..N without gaps per room. */
async function checkIntegrity(app: ChatApp, acked: number): Promise<IntegrityResult> {
  let stored = 0;
  let roomsWithGaps = 0;
  let duplicateClientIds = 0;
  const perShard: Record<string, number> = {};
  for (const s of app.shards.all()) {
    const [[c]] = await s.pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM messages");
    const [[g]] = await s.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM (SELECT room_id FROM messages GROUP BY room_id HAVING COUNT(*) <> MAX(seq) OR MIN(seq) <> 1) x",
    );
    const [[d]] = await s.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM (SELECT room_id, sender_id, client_msg_id FROM messages WHERE client_msg_id IS NOT NULL GROUP BY 1,2,3 HAVING COUNT(*) > 1) x",
    );
    perShard[String(s.id)] = Number(c?.n);
    stored += Number(c?.n);
    roomsWithGaps += Number(g?.n);
    duplicateClientIds += Number(d?.n);
  }
  return { stored, acked, perShard, roomsWithGaps, duplicateClientIds };
}

// ---------------------------------------------------------------------------------------
// (2)/(3) the socket client process

class Clients {
  readonly #child: ChildProcess;
  #pending: ((r: ClientReply) => void) | null = null;

  constructor() {
    this.#child = fork(fileURLToPath(new URL("./clients.ts", import.meta.url)), [], {
      execArgv: process.execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.#child.on("message", (m: ClientReply) => {
      const p = this.#pending;
      this.#pending = null;
      p?.(m);
    });
    this.#child.on("exit", (code) => {
      const p = this.#pending;
      this.#pending = null;
      p?.({ ok: false, error: `client process exited (${code})` });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  call<T>(c: ClientCommand, timeoutMs: number): Promise<T> {
    if (this.#pending) throw new Error("one command at a time");
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.#pending = null;
        reject(new Error(`client command ${c.cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending = (r) => {
        clearTimeout(t);
        if (r.ok) resolve(r.result as T);
        else reject(new Error(r.error));
      };
      this.#child.send(c);
    });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    await this.call({ cmd: "exit" }, 5_000).catch(() => {});
    await sleep(100);
    if (this.#child.exitCode === null) this.#child.kill("SIGKILL");
  }
}

interface ServerSide {
  serverCpu: number;
  loopDelayP99Ms: number;
  cpuStallPct: number;
  db: WindowStats["db"];
}

/** Runs a client command while measuring this (server) process, the box's CPU pressure and the shards. */
async function measured<T>(fn: () => Promise<T>): Promise<T & ServerSide> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const a = await snapshot(null);
  loop.enable();
  const r = await fn();
  const b = await snapshot(null);
  loop.disable();
  const w = windowStats(a, b, loop);
  return { ...r, serverCpu: w.cpu, loopDelayP99Ms: w.loopP99Ms, cpuStallPct: w.cpuStallPct, db: w.db };
}

async function connectClients(clients: Clients, url: string, users: ClientUser[], target: string) {
  log(`${target}: connecting ${users.length} sockets to ${url}`);
  const connect = await clients.call<ConnectResult>({ cmd: "connect", url, users, concurrency: 50 }, 180_000);
  log(
    `${target}: ${connect.connected} connected, ${connect.failed} failed, ${connect.subscribeFailed} not subscribed (${fmt(connect.ms / 1000, 1)} s)${connect.firstError ? ` first error: ${connect.firstError}` : ""}`,
  );
  if (connect.connected === 0) throw new Error(`${target}: no socket connected`);
  return connect;
}

/**
 * Waits (bounded) until the platform stops storing messages: an overloaded phase leaves
 * sends queued in the shard writers, and they must not leak into the next phase.
 * Returns the seconds it took.
 */
async function settle(app: ChatApp, maxMs = P.settleMaxMs): Promise<number> {
  const t0 = performance.now();
  let last = await counterSum(app, "messagesSent");
  let stableSince = performance.now();
  while (performance.now() - t0 < maxMs) {
    await sleep(250);
    const now = await counterSum(app, "messagesSent");
    if (now !== last) {
      last = now;
      stableSince = performance.now();
    } else if (performance.now() - stableSince >= 1000) break;
  }
  return (performance.now() - t0) / 1000;
}

type RatePhase = RateResult & ServerSide & { backlogDrainS?: number };

async function ratePhases(clients: Clients, target: string, app?: ChatApp): Promise<RatePhase[]> {
  const rates: RatePhase[] = [];
  for (const rate of P.rates) {
    log(`${target}: fixed rate ${rate} msgs/s for ${P.rateSeconds} s`);
    const r = await measured(() =>
      clients.call<RateResult>(
        {
          cmd: "rate",
          rate,
          seconds: P.rateSeconds,
          drainMs: P.drainMs,
          maxOutstanding: Math.max(2_000, rate),
        },
        (P.rateSeconds + 30) * 1000,
      ),
    );
    const phase: RatePhase = r;
    if (app) {
      phase.backlogDrainS = await settle(app);
      if (phase.backlogDrainS > 2)
        log(`${target}: server backlog took ${fmt(phase.backlogDrainS, 1)} s to drain`);
    }
    rates.push(phase);
    log(
      `${target}: @${rate}/s sent ${fmt(r.achievedSendRate)}/s, acked ${r.ackOk}/${r.sent}, delivered ${r.delivered}/${r.expectedDeliveries}, p50 ${fmt(r.deliver.p50, 1)} ms p99 ${fmt(r.deliver.p99, 1)} ms`,
    );
    await sleep(500);
  }
  return rates;
}

async function saturatePhase(clients: Clients, target: string): Promise<SaturateResult & ServerSide> {
  log(`${target}: saturating (window ${P.saturateWindow}) for ${P.saturateSeconds} s`);
  const saturate = await measured(() =>
    clients.call<SaturateResult>(
      {
        cmd: "saturate",
        window: P.saturateWindow,
        seconds: P.saturateSeconds,
        warmupSeconds: P.saturateWarmup,
      },
      (P.saturateSeconds + P.saturateWarmup + 30) * 1000,
    ),
  );
  log(
    `${target}: ${fmt(saturate.deliveriesPerSec)} deliveries/s (${fmt(saturate.ackedPerSec)} msgs/s acked)`,
  );
  return saturate;
}

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);

// ---------------------------------------------------------------------------------------
// Reporting

async function durabilitySettings(): Promise<string[]> {
  const infra = readInfraEnv();
  const out: string[] = [];
  for (const url of infra.shardUrls.slice(0, 2)) {
    const conn = await mysql.createConnection(url);
    try {
      const [[r]] = await conn.query<RowDataPacket[]>(
        "SELECT @@version AS v, @@innodb_flush_log_at_trx_commit AS f, @@sync_binlog AS s, @@log_bin AS b, @@innodb_doublewrite AS d",
      );
      out.push(
        `${describeServer(url)} MariaDB ${r?.v}: innodb_flush_log_at_trx_commit=${r?.f}, log_bin=${r?.b}, sync_binlog=${r?.s}, doublewrite=${r?.d}`,
      );
    } finally {
      await conn.end();
    }
  }
  return out;
}

const dbText = (db: (WindowStats["db"][number] & { queriesPerMsg?: number })[]) =>
  db
    .map(
      (d) =>
        `      ${d.server}: ${fmt(d.perSec.queries)} queries/s${d.queriesPerMsg !== undefined ? ` (${fmt(d.queriesPerMsg, 2)}/msg)` : ""}, ${fmt(d.perSec.commits)} commits/s, ${fmt(d.perSec.logFsyncs)} InnoDB fsyncs/s, mariadbd CPU ${fmt(d.perSec.cpu * 100)}%`,
    )
    .join("\n");

/**
 * CPU spent per stored message (Node process + shard servers, measured over the window)
 * and what that would allow on 2 cores given to nothing else: an estimate that factors
 * out the box's contention, not a measurement. Shard-server CPU includes any other
 * traffic those servers served meanwhile.
 */
const costText = (r: DurableResult) => {
  const node = (r.processCpu * 1e6) / r.msgsPerSec;
  const db =
    (r.db.reduce((a, d) => a + (Number.isFinite(d.perSec.cpu) ? d.perSec.cpu : 0), 0) * 1e6) / r.msgsPerSec;
  return `      CPU per message: Node ${fmt(node)} µs + mariadbd ${fmt(db)} µs → estimated ceiling on 2 uncontended cores ≈ ${fmt(2e6 / (node + db))} msgs/s (estimate, not a measurement)`;
};

/** Sends neither acked, refused nor timed out when the bounded drain ended. */
const pendingText = (r: RateResult) => {
  const refused = Object.values(r.ackErrors).reduce((a, x) => a + x, 0);
  const pending = r.sent - r.ackOk - refused - r.ackTimeouts;
  return pending > 0 ? ` (${pending} still unacked after the ${P.drainMs / 1000} s drain)` : "";
};

const errText = (e: Record<string, number>) =>
  Object.keys(e).length
    ? ` errors ${Object.entries(e)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}`
    : "";

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = new Date();
  const load0 = os.loadavg();
  const psi0 = readCpuPressureUs();
  const t0 = performance.now();
  log(`mode ${QUICK ? "QUICK (smoke)" : "full"}; params ${JSON.stringify(P)}`);
  const durability = await durabilitySettings();

  const apps: ChatApp[] = [];
  let clients: Clients | null = null;
  let bare: Awaited<ReturnType<typeof startBareServer>> | null = null;
  const dbsList: BenchDatabases[] = [];
  const deadline = setTimeout(() => {
    log(`deadline of ${DEADLINE_MS / 1000} s exceeded: tearing down`);
    void (async () => {
      await clients?.close().catch(() => {});
      await dropAllBenchDatabases().catch(() => {});
      process.exit(3);
    })();
  }, DEADLINE_MS);
  deadline.unref();

  try {
    // --- (1) durable throughput: one shard vs two shards --------------------------------
    // Both instances stay up and the rounds alternate (1,2 then 2,1 in a full run) so a
    // change in the box's background load hits both configurations alike.
    const dbs1 = await createBenchDatabases(1, "a");
    dbsList.push(dbs1);
    const app1 = await createChatApp(benchConfig(dbs1));
    apps.push(app1);
    const poolSize = app1.config.mysql.poolSize;
    const users1 = await seed(app1, P.users, P.rooms, dbs1.id);
    const dbs2 = await createBenchDatabases(2, "b");
    dbsList.push(dbs2);
    const app2 = await createChatApp(benchConfig(dbs2));
    apps.push(app2);
    const users2 = await seed(app2, P.users, P.rooms, dbs2.id);
    const order = QUICK ? [1, 2] : [1, 2, 2, 1];
    const rounds: Record<1 | 2, DurableResult[]> = { 1: [], 2: [] };
    for (const [k, n] of order.entries()) {
      const app = n === 1 ? app1 : app2;
      log(
        `durable round ${k + 1}/${order.length}, ${n} shard(s): ${P.durableConcurrency} concurrent senders, ${P.durableSeconds} s`,
      );
      const r = await durablePhase(app, n === 1 ? users1 : users2, `${n}r${k}`, "service", P.durableSeconds);
      rounds[n as 1 | 2].push(r);
      log(`  ${fmt(r.msgsPerSec)} msgs/s (mean batch ${fmt(r.meanBatch, 1)})${errText(r.errors)}`);
    }
    log(`writer-only, 1 shard, ${P.writerSeconds} s (diagnostic)`);
    const w1 = await durablePhase(app1, users1, "1w", "writer", P.writerSeconds);
    log(`  ${fmt(w1.msgsPerSec)} msgs/s (mean batch ${fmt(w1.meanBatch, 1)})${errText(w1.errors)}`);
    const d1Rate = mean(rounds[1].map((r) => r.msgsPerSec));
    const d2Rate = mean(rounds[2].map((r) => r.msgsPerSec));
    const i1 = await checkIntegrity(app1, rounds[1].reduce((a, r) => a + r.ackedTotal, 0) + w1.ackedTotal);
    const durable2Acked = rounds[2].reduce((a, r) => a + r.ackedTotal, 0);
    const i2 = await checkIntegrity(app2, durable2Acked);
    await app1.stop();
    apps.splice(apps.indexOf(app1), 1);
    await dbs1.drop();

    // --- (2) latency at fixed rates and (3) deliveries/s, platform vs bare ----------------
    // Deliveries alternate too: platform, bare, bare, platform (full run).
    await app2.listen();
    bare = await startBareServer();
    clients = new Clients();
    const socketUsers: ClientUser[] = users2.map((u) => ({ token: u.token, roomId: u.roomId }));
    const satPlatform: (SaturateResult & ServerSide)[] = [];
    const satBare: (SaturateResult & ServerSide)[] = [];
    const connected = await connectClients(clients, app2.url(), socketUsers, "platform");
    const platformRates = await ratePhases(clients, "platform", app2);
    satPlatform.push(await saturatePhase(clients, "platform"));
    await connectClients(clients, bare.url, socketUsers, "bare socket.io");
    const bareRates = await ratePhases(clients, "bare socket.io");
    satBare.push(await saturatePhase(clients, "bare socket.io"));
    if (!QUICK) {
      satBare.push(await saturatePhase(clients, "bare socket.io"));
      await connectClients(clients, app2.url(), socketUsers, "platform");
      await settle(app2);
      satPlatform.push(await saturatePhase(clients, "platform"));
    }
    await clients.close();
    clients = null;
    await bare.close();
    bare = null;
    const socketAcked =
      platformRates.reduce((a, r) => a + r.ackOk, 0) + satPlatform.reduce((a, r) => a + r.ackedTotal, 0);
    const i2b = await checkIntegrity(app2, durable2Acked + socketAcked);

    // --- summary ---------------------------------------------------------------------------
    const load1 = os.loadavg();
    const runStallPct = ((readCpuPressureUs() - psi0) / 1000 / (performance.now() - t0)) * 100;
    const ratio2 = d2Rate / d1Rate;
    const platformDeliveries = mean(satPlatform.map((x) => x.deliveriesPerSec));
    const bareDeliveries = mean(satBare.map((x) => x.deliveriesPerSec));
    const delivRatio = platformDeliveries / bareDeliveries;
    const atTarget = platformRates.find((r) => r.rate === TARGETS.p99AtRate);
    const lines: string[] = [];
    const p = (s = "") => lines.push(s);
    p();
    p("=".repeat(100));
    p(
      `ChatCluster core benchmark — ${QUICK ? "QUICK SMOKE RUN (short windows; not the reference figures)" : "full run"}`,
    );
    p(
      `date ${started.toISOString()}; node ${process.version}; ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}; ${fmt(os.totalmem() / 2 ** 30, 1)} GiB`,
    );
    p(
      `load average at start ${load0.map((x) => x.toFixed(2)).join(" ")}, at end ${load1.map((x) => x.toFixed(2)).join(" ")}`,
    );
    p(
      `box CPU stall over the run (PSI cpu "some": share of time a runnable task waited for a core): ${fmt(runStallPct)}%`,
    );
    p(
      "CAVEAT: the 2 cores are shared with MariaDB ×4, Redis, Kafka, a kube control plane and other engineers' builds",
    );
    p(
      "        and tests; the load generator runs on the same cores. Figures are lower bounds for this box, not capacity.",
    );
    p(
      "        The MariaDB servers also serve other engineers' integration tests: the per-server query/commit/fsync",
    );
    p("        counters below include that traffic.");
    p("durability (stated, not weakened):");
    for (const d of durability) p(`  ${d}`);
    p(
      `workload: ${P.users} users, ${P.rooms} public rooms (${P.users / P.rooms} members each), every send carries a clientMsgId; MySQL pool ${poolSize} connections per shard (CHAT_MYSQL_POOL_SIZE)`,
    );
    p();
    p(
      "(1) durable messages/s — path: MessageService.send (= REST POST /v1/rooms/:id/messages and socket message:send,",
    );
    p(
      "    minus HTTP/socket framing): validate, membership check, routing fence, ShardWriter group commit (rooms",
    );
    p(
      `    locked, seq bumped, messages + dedup + outbox rows, COMMIT), fan-out publish. ${P.durableConcurrency} concurrent senders, closed loop.`,
    );
    const dline = (name: string, r: DurableResult) =>
      `  ${name.padEnd(34)} ${fmt(r.msgsPerSec).padStart(8)} msgs/s  send p50 ${fmt(r.latency.p50, 1)} ms p99 ${fmt(r.latency.p99, 1)} ms  mean batch ${fmt(r.meanBatch, 1)}  process CPU ${fmt(r.processCpu * 100)}%  loop p99 ${fmt(r.loopDelayP99Ms, 1)} ms  box CPU stall ${fmt(r.cpuStallPct)}%${errText(r.errors)}\n${dbText(r.db)}\n${costText(r)}`;
    for (const [k, n] of order.entries()) {
      const r = rounds[n as 1 | 2][order.slice(0, k).filter((x) => x === n).length] as DurableResult;
      p(dline(`round ${k + 1}: ${n === 1 ? "1 shard" : `2 shards ${JSON.stringify(r.perShardRooms)}`}`, r));
    }
    p(`  mean: 1 shard ${fmt(d1Rate)} msgs/s, 2 shards ${fmt(d2Rate)} msgs/s`);
    p(dline("diagnostic: writer only, 1 shard", w1));
    p(
      `  TARGET ≥ ${fmt(TARGETS.durablePerShard)} msgs/s per shard:  1 shard ${fmt(d1Rate)} → ${verdict(d1Rate >= TARGETS.durablePerShard)};  2 shards ${fmt(d2Rate / 2)} per shard → ${verdict(d2Rate / 2 >= TARGETS.durablePerShard)}`,
    );
    p(
      `  TARGET two shards ≥ ${TARGETS.twoShardRatio}× one:  ${fmt(ratio2, 2)}× → ${verdict(ratio2 >= TARGETS.twoShardRatio)}`,
    );
    const integ = (name: string, i: IntegrityResult) =>
      `  integrity ${name}: acked ${i.acked}, stored ${i.stored} ${JSON.stringify(i.perShard)}, rooms with seq gaps ${i.roomsWithGaps}, duplicate clientMsgIds ${i.duplicateClientIds} → ${i.stored >= i.acked && i.roomsWithGaps === 0 && i.duplicateClientIds === 0 ? "OK" : "PROBLEM"}${i.stored > i.acked ? " (stored − acked = sends stored whose ack timed out at the client)" : ""}`;
    p(integ("1 shard", i1));
    p(integ("2 shards", i2));
    p();
    p(
      `(2) send→deliver latency — ${connected.connected} socket.io-client sockets (websocket) over ${P.rooms} rooms, platform in-process on`,
    );
    p(
      "    127.0.0.1 (gateway+realtime roles, Redis adapter, 2 shards), sockets in a child process; sends round-robin",
    );
    p(
      `    over all sockets at a fixed rate for ${P.rateSeconds} s; latency = arrival − scheduled send time, every member incl. sender.`,
    );
    const rline = (r: RatePhase) =>
      `  @${String(r.rate).padStart(5)}/s: sent ${fmt(r.achievedSendRate).padStart(6)}/s (skipped ${r.skipped}), acked ${r.ackOk}/${r.sent}${errText(r.ackErrors)}${r.ackTimeouts ? ` timeouts ${r.ackTimeouts}` : ""}${pendingText(r)}, delivered ${r.delivered}/${r.expectedDeliveries}${r.ackedNotFullyDelivered ? ` (${r.ackedNotFullyDelivered} acked sends not delivered to every member)` : ""}${r.duplicateDeliveries ? ` (${r.duplicateDeliveries} duplicate deliveries)` : ""}; deliver p50 ${fmt(r.deliver.p50, 1)} ms p99 ${fmt(r.deliver.p99, 1)} ms max ${fmt(r.deliver.max)} ms; ack p99 ${fmt(r.ack.p99, 1)} ms; CPU server ${fmt(r.serverCpu * 100)}% clients ${fmt(r.clientCpu * 100)}%; loop p99 ${fmt(r.loopDelayP99Ms, 1)} ms; box CPU stall ${fmt(r.cpuStallPct)}%${r.backlogDrainS !== undefined && r.backlogDrainS > 2 ? `; server backlog drained ${fmt(r.backlogDrainS, 1)} s after the phase` : ""}`;
    p("  platform:");
    for (const r of platformRates) p(`  ${rline(r)}`);
    p("  bare socket.io (baseline, same harness):");
    for (const r of bareRates) p(`  ${rline(r)}`);
    if (atTarget) {
      const sustained = atTarget.skipped === 0 && atTarget.achievedSendRate >= 0.95 * atTarget.rate;
      const complete = atTarget.ackedNotFullyDelivered === 0 && atTarget.ackOk === atTarget.sent;
      p(
        `  TARGET p99 ≤ ${TARGETS.p99Ms} ms at ${fmt(TARGETS.p99AtRate)} msgs/s: p99 ${fmt(atTarget.deliver.p99, 1)} ms${sustained ? "" : " (rate NOT sustained)"}${complete ? "" : " (not every send acked/delivered)"} → ${verdict(atTarget.deliver.p99 <= TARGETS.p99Ms && sustained && complete)}`,
      );
    } else p(`  TARGET p99 at ${TARGETS.p99AtRate} msgs/s: not measured (BENCH_RATES) → NOT MET`);
    p();
    p(
      `(3) realtime deliveries/s — closed loop, ${P.saturateWindow} sends in flight, ${P.saturateSeconds} s window after ${P.saturateWarmup} s warm-up:`,
    );
    const sline = (name: string, s: SaturateResult & ServerSide) =>
      `  ${name.padEnd(16)} ${fmt(s.deliveriesPerSec).padStart(8)} deliveries/s  (${fmt(s.ackedPerSec)} msgs/s acked)  CPU server ${fmt(s.serverCpu * 100)}% clients ${fmt(s.clientCpu * 100)}%  loop p99 ${fmt(s.loopDelayP99Ms, 1)} ms  box CPU stall ${fmt(s.cpuStallPct)}%${errText(s.ackErrors)}`;
    const satOrder = QUICK ? ["platform", "bare"] : ["platform", "bare", "bare", "platform"];
    const seen = { platform: 0, bare: 0 };
    for (const who of satOrder as ("platform" | "bare")[]) {
      const x = (who === "platform" ? satPlatform : satBare)[seen[who]++];
      if (x) p(sline(who === "platform" ? "platform" : "bare socket.io", x));
    }
    p(`  mean: platform ${fmt(platformDeliveries)} deliveries/s, bare ${fmt(bareDeliveries)} deliveries/s`);
    p(
      `  TARGET platform ≥ ${TARGETS.deliveriesRatio}× bare: ${fmt(delivRatio, 2)}× → ${verdict(delivRatio >= TARGETS.deliveriesRatio)}`,
    );
    p(integ("after socket phases (2 shards)", i2b));
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
            durability,
            durable: {
              order,
              oneShard: rounds[1],
              twoShards: rounds[2],
              oneShardMean: d1Rate,
              twoShardsMean: d2Rate,
              writerOnly: w1,
              ratio: ratio2,
              integrity: [i1, i2, i2b],
            },
            latency: { platform: platformRates, bare: bareRates },
            deliveries: { platform: satPlatform, bare: satBare, ratio: delivRatio },
          },
          null,
          2,
        ),
      );
      log(`wrote ${JSON_OUT}`);
    }
  } finally {
    await clients?.close().catch(() => {});
    await bare?.close().catch(() => {});
    for (const a of apps) await a.stop().catch(() => {});
    for (const d of dbsList) await d.drop().catch((e: unknown) => log(`drop ${d.id} failed: ${String(e)}`));
    for (const c of statusConns ?? []) await c.end().catch(() => {});
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
  () => process.exit(0),
  async (err: unknown) => {
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await dropAllBenchDatabases().catch(() => {});
    process.exit(1);
  },
);
