// End to end (issue 6): the local control plane (kube-apiserver + kwok), the local data plane (MariaDB catalog,
// shards 13310/13311, the spare 13312, Redis) and the real Prometheus. A real platform process runs outside
// the cluster with the operator's generated admin token; Prometheus scrapes it through a file_sd target. The
// operator runs as a real process with PLATFORM_ADMIN_URL pointing at that platform and a ChatCluster in Auto
// mode with a small shard capacity. Real HTTP clients send to several rooms, two of them hot on one shard:
// the operator must add shard 2 (its StatefulSet Ready through kwok; the platform's shard 2 is the spare
// MariaDB, its CHAT_MYSQL_SPARE_URLS entry), activate it, and move a hot room there — while every message a
// client got an ack for ends up stored exactly once, in order, without seq gaps.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KObject } from "../kube/resources.js";
import { http, type Json, Sender, sleep } from "../testing/chat.js";
import {
  type Conn,
  connect,
  createNamespace,
  dataPlane,
  deleteNamespace,
  ensureCRD,
  getCC,
  type OperatorProcess,
  REPO,
  spawnOperator,
  waitFor,
  waitReady,
} from "./harness.js";

const dp = dataPlane();
const id = randomBytes(3).toString("hex");
const JOB = `cc-e2e-${id}`;
const TARGET_FILE = join(dp.prometheusTargetsDir, `e2e-rebalance-${id}.json`);
const CC = "chat.chatcluster.io/v1alpha1";

const withDb = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};
const DBS = [
  { server: dp.catalogUrl, db: `chat_e2e${id}_catalog` },
  { server: dp.shardUrls[0]!, db: `chat_e2e${id}_s0` },
  { server: dp.shardUrls[1]!, db: `chat_e2e${id}_s1` },
  { server: dp.spareUrls[0]!, db: `chat_e2e${id}_s2` },
];

async function sql(server: string, statement: string): Promise<void> {
  const conn = await mysql.createConnection(server);
  try {
    await conn.query(statement);
  } finally {
    await conn.end();
  }
}

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });

let c: Conn;
let ns = "";
let op: OperatorProcess | undefined;
let platform: ChildProcess | undefined;
let platformOut = "";
const senders: Sender[] = [];

beforeAll(async () => {
  c = await connect();
  await ensureCRD(c);
  for (const d of DBS)
    await sql(d.server, `CREATE DATABASE \`${d.db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
});

afterAll(async () => {
  for (const s of senders) await s.stop().catch(() => {});
  rmSync(TARGET_FILE, { force: true });
  if (platform && platform.exitCode === null) {
    const p = platform;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    await Promise.race([exited, sleep(5_000)]);
    if (p.exitCode === null) p.kill("SIGKILL");
  }
  if (op && op.proc.exitCode === null) {
    op.proc.kill("SIGTERM");
    await Promise.race([op.exited, sleep(5_000)]);
    if (op.proc.exitCode === null) op.proc.kill("SIGKILL");
  }
  if (ns) await deleteNamespace(c, ns).catch(() => {});
  for (const d of DBS) await sql(d.server, `DROP DATABASE IF EXISTS \`${d.db}\``).catch(() => {});
  c?.http.close();
});

describe("rebalancing end to end", () => {
  it("load on 2 shards → the operator adds shard 2, registers it and moves a hot room there; nothing lost", async () => {
    const t0 = Date.now();
    const at: Record<string, number> = {};
    const mark = (what: string) => {
      at[what] ??= Math.round((Date.now() - t0) / 100) / 10;
    };

    ns = await createNamespace(c, "rebal");
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    op = await spawnOperator(`e2e-${id}`, ns, { PLATFORM_ADMIN_URL: base });
    await c.client.apply({
      apiVersion: CC,
      kind: "ChatCluster",
      metadata: { name: "chat", namespace: ns },
      spec: {
        mysql: { shards: 2, maxShards: 3 },
        sharding: {
          rebalance: {
            mode: "Auto",
            prometheus: { url: dp.prometheusUrl, selector: `job="${JOB}"`, window: "30s" },
            interval: "5s",
            cooldown: "20s",
            // 20 writes/s is 100 %: two hot rooms at 6/s put their shard at 60 %, the fleet at ~37 %.
            shardCapacityWritesPerSecond: 20,
            addShardThresholdPercent: 30,
            moveThresholdPercent: 50,
            hysteresisPercent: 5,
            maxConcurrentMoves: 1,
          },
        },
      },
    } as unknown as KObject);
    await waitReady(c, ns, "chat", 120_000);
    mark("clusterReady");

    // The platform, with the admin token the operator generated (never printed).
    const secret = (await c.client.get({
      apiVersion: "v1",
      kind: "Secret",
      namespace: ns,
      name: "chat-credentials",
    })) as KObject & { data: Record<string, string> };
    const adminToken = Buffer.from(secret.data["admin-token"] ?? "", "base64").toString();
    expect(adminToken.length).toBeGreaterThanOrEqual(16);
    platform = spawn(process.execPath, ["--import", "tsx", "services/src/main.ts"], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? "",
        CHAT_HOST: "127.0.0.1",
        CHAT_PORT: String(port),
        CHAT_INSTANCE_ID: `e2e-${id}`,
        CHAT_LOG_LEVEL: "warn",
        CHAT_MYSQL_CATALOG_URL: withDb(DBS[0]!.server, DBS[0]!.db),
        CHAT_MYSQL_SHARD_URLS: [DBS[1]!, DBS[2]!].map((d) => withDb(d.server, d.db)).join(","),
        CHAT_MYSQL_SPARE_URLS: withDb(DBS[3]!.server, DBS[3]!.db),
        CHAT_REDIS_URL: dp.redisUrl,
        CHAT_REDIS_PREFIX: `chat_e2e${id}:`,
        CHAT_JWT_SECRET: randomBytes(32).toString("hex"),
        CHAT_ADMIN_TOKEN: adminToken,
        CHAT_ARGON2_MEMORY_KIB: "1024",
        CHAT_ARGON2_TIME_COST: "1",
        CHAT_RATE_REGISTER_PER_IP_PER_HOUR: "1000",
        CHAT_RATE_LOGIN_PER_IP_PER_MINUTE: "1000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (d: Buffer) => {
      platformOut = (platformOut + d.toString()).slice(-20_000);
    };
    platform.stdout?.on("data", keep);
    platform.stderr?.on("data", keep);
    await waitFor("the platform to be ready", 60_000, async () => {
      if (platform?.exitCode !== null) throw new Error(`platform exited: ${platformOut}`);
      return (await http(base, "GET", "/readyz")).status === 200;
    });
    mark("platformReady");
    mkdirSync(dp.prometheusTargetsDir, { recursive: true });
    writeFileSync(
      `${TARGET_FILE}.tmp`,
      JSON.stringify([{ targets: [`127.0.0.1:${port}`], labels: { job: JOB } }]),
    );
    renameSync(`${TARGET_FILE}.tmp`, TARGET_FILE);

    // Six rooms, each with its own sending user; the platform places them (least loaded: alternating).
    const rooms: { roomId: number; token: string; shard: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const reg = await http(base, "POST", "/v1/auth/register", undefined, {
        username: `e2e${id}u${i}`,
        password: "correct horse battery",
      });
      expect(reg.status, JSON.stringify(reg.body)).toBe(201);
      const token = reg.body.accessToken as string;
      const room = await http(base, "POST", "/v1/rooms", token, { kind: "public", name: `e2e room ${i}` });
      expect(room.status, JSON.stringify(room.body)).toBe(201);
      const dir = await http(base, "GET", `/admin/rooms/${room.body.id}`, adminToken);
      rooms.push({ roomId: room.body.id, token, shard: dir.body.shardId });
    }
    const hotShard = rooms[0]!.shard;
    const onHot = rooms.filter((r) => r.shard === hotShard);
    const onCool = rooms.filter((r) => r.shard !== hotShard);
    expect(onHot.length).toBeGreaterThanOrEqual(2);
    expect(onCool.length).toBeGreaterThanOrEqual(2);
    const hot = onHot.slice(0, 2);
    for (const r of hot) senders.push(new Sender(base, r.token, r.roomId, 6));
    for (const r of onCool.slice(0, 2)) senders.push(new Sender(base, r.token, r.roomId, 1.5));
    mark("loadStarted");

    // The operator: more load than 2 shards are sized for → shard 2.
    const reasons = new Set<string>();
    const status = async () => {
      const cc = await readStatus();
      const r = cc?.status?.conditions?.find((x) => x.type === "Rebalancing");
      if (r) reasons.add(`${r.status}/${r.reason}`);
      return cc;
    };
    const readStatus = async () =>
      (await getCC(c, ns, "chat")) as unknown as
        | {
            status?: {
              shards?: { index: number; state: string; ready?: boolean }[];
              rebalance?: {
                desiredShards?: number;
                fleetLoadPercent?: number;
                moves?: {
                  id: string;
                  roomId: string;
                  fromShard: number;
                  toShard: number;
                  state: string;
                  writePauseMillis?: number;
                  rowsCopied?: number;
                  epoch?: number;
                  reason?: string;
                }[];
              };
              conditions?: { type: string; status: string; reason: string; message: string }[];
            };
          }
        | undefined;
    const failFast = () => {
      for (const s of senders) if (s.error) throw new Error(s.error);
    };
    await waitFor("status.rebalance.desiredShards = 3", 120_000, async () => {
      failFast();
      return (await status())?.status?.rebalance?.desiredShards === 3;
    });
    mark("shardRequested");
    await waitFor("StatefulSet chat-shard-2 Ready", 60_000, async () => {
      const sts = (await c.client.get({
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        namespace: ns,
        name: "chat-shard-2",
      })) as (KObject & { status?: { readyReplicas?: number } }) | undefined;
      return (sts?.status?.readyReplicas ?? 0) >= 1;
    });
    mark("shardReady");
    await waitFor("shard 2 Registered", 60_000, async () => {
      failFast();
      return (await status())?.status?.shards?.find((s) => s.index === 2)?.state === "Registered";
    });
    mark("shardRegistered");
    const platformShards = await http(base, "GET", "/admin/shards", adminToken);
    expect(platformShards.body.shards.find((s: Json) => s.shardId === 2)?.state).toBe("active");

    const moved = await waitFor("a move onto shard 2 Done", 150_000, async () => {
      failFast();
      const moves = (await status())?.status?.rebalance?.moves ?? [];
      if (moves.length > 0) mark("moveStarted");
      const failed = moves.find((m) => m.state === "Failed" || m.state === "Aborted");
      if (failed) throw new Error(`move failed: ${JSON.stringify(failed)}`);
      return moves.find((m) => m.toShard === 2 && m.state === "Done");
    });
    mark("moveDone");
    expect(hot.map((r) => String(r.roomId))).toContain(moved.roomId);
    expect(moved.fromShard).toBe(hotShard);
    expect(moved.epoch).toBeGreaterThan(1);
    const dir = await http(base, "GET", `/admin/rooms/${moved.roomId}`, adminToken);
    expect(dir.body).toMatchObject({ shardId: 2, state: "active" });

    // Keep chatting on the new layout for a moment, then stop and check every acknowledged message.
    await sleep(3_000);
    for (const s of senders) await s.stop();
    failFast();
    for (const s of senders) {
      const room = rooms.find((r) => r.roomId === s.roomId)!;
      const stored: { seq: number; id: string; clientMsgId: string | null }[] = [];
      let after = 0;
      for (;;) {
        const page = await http(
          base,
          "GET",
          `/v1/rooms/${s.roomId}/messages?after=${after}&limit=200`,
          room.token,
        );
        expect(page.status).toBe(200);
        stored.push(...page.body.messages);
        if (!page.body.hasMore || page.body.messages.length === 0) break;
        after = page.body.messages.at(-1).seq;
      }
      const seqs = stored.map((m) => m.seq);
      // seq 1.. without gaps or repeats, and exactly the acknowledged messages, each once with its ack
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      expect(stored.length, `room ${s.roomId}`).toBe(s.acked.length);
      const byClientId = new Map(stored.map((m) => [m.clientMsgId, m]));
      expect(byClientId.size).toBe(stored.length);
      for (const a of s.acked) expect(byClientId.get(a.clientMsgId)).toMatchObject({ seq: a.seq, id: a.id });
      // and in the order the client sent them
      expect(s.acked.map((a) => a.seq)).toEqual([...s.acked.map((a) => a.seq)].sort((x, y) => x - y));
    }

    const events = (await c.client.list("events.k8s.io/v1", "Event", ns)).items.map(
      (e) => (e as { reason?: string }).reason,
    );
    for (const r of ["ShardRequested", "ShardAdded", "ShardRegistered", "MoveStarted", "MoveSucceeded"]) {
      expect(events).toContain(r);
    }
    expect(op.log()).not.toContain(adminToken);
    // the condition followed along (polled every 250 ms; the move stays open for seconds)
    expect([...reasons]).toContain("True/MovingRooms");

    const sent = senders.map((s) => s.acked.length);
    console.log(
      JSON.stringify({
        timingsSeconds: at,
        move: {
          roomId: moved.roomId,
          from: moved.fromShard,
          to: moved.toShard,
          writePauseMillis: moved.writePauseMillis,
          rowsCopied: moved.rowsCopied,
        },
        messagesAcked: sent,
        sendRetries: senders.map((s) => s.retries),
        fleetLoadPercent: (await status())?.status?.rebalance?.fleetLoadPercent,
        rebalancingConditionsSeen: [...reasons],
      }),
    );
  }, 420_000);
});
