// The socket side of the benchmark, run as a child process (forked by bench-core.ts)
// so 1,000 socket.io-client sockets get their own event loop and core, apart from
// the server under test. Driven over the IPC channel; every phase is bounded in
// count and time, and the process exits when its parent goes away.
//
// Messages carry clientMsgId "p<phase>-<index>"; a delivery's latency is its arrival
// time minus the index's *scheduled* send time (open loop, so a client that falls
// behind shows up as latency instead of hiding it).
import { io as ioClient, type Socket } from "socket.io-client";
import { cpuMeter, type LatencySummary, mapLimit, Samples, sleep } from "./stats.js";

export interface ClientUser {
  token: string;
  roomId: number;
}

export type ClientCommand =
  | { cmd: "connect"; url: string; users: ClientUser[]; concurrency: number }
  | { cmd: "disconnect" }
  | { cmd: "rate"; rate: number; seconds: number; drainMs: number; maxOutstanding: number }
  | { cmd: "saturate"; window: number; seconds: number; warmupSeconds: number }
  | { cmd: "exit" };

export interface ConnectResult {
  connected: number;
  failed: number;
  subscribeFailed: number;
  firstError?: string;
  ms: number;
}

export interface RateResult {
  rate: number;
  seconds: number;
  scheduled: number;
  sent: number;
  /** Not sent because too many sends were still unacknowledged (the server fell behind). */
  skipped: number;
  achievedSendRate: number;
  ackOk: number;
  ackErrors: Record<string, number>;
  ackTimeouts: number;
  expectedDeliveries: number;
  delivered: number;
  /** Acknowledged sends that did not reach every member of the room within the drain. */
  ackedNotFullyDelivered: number;
  /** Deliveries beyond the room's member count for one send (a duplicate fan-out). */
  duplicateDeliveries: number;
  deliver: LatencySummary;
  ack: LatencySummary;
  clientCpu: number;
  disconnects: number;
}

export interface SaturateResult {
  window: number;
  seconds: number;
  ackedPerSec: number;
  /** Every acknowledged send of the phase, warm-up and drain included. */
  ackedTotal: number;
  deliveriesPerSec: number;
  ackErrors: Record<string, number>;
  clientCpu: number;
  disconnects: number;
}

export type ClientReply =
  | { ok: true; result: ConnectResult | RateResult | SaturateResult | null }
  | { ok: false; error: string };

interface AckShape {
  ok: boolean;
  error?: { code?: string };
}

interface Conn {
  socket: Socket;
  roomId: number;
}

let conns: Conn[] = [];
const roomSize = new Map<number, number>();
let disconnects = 0;
let phase = 0;
/** Current phase's delivery hook: (index, now). */
let onDelivery: ((idx: number, now: number) => void) | null = null;

function handleDelivery(m: { clientMsgId?: string | null }): void {
  const now = performance.now();
  const id = m?.clientMsgId;
  if (typeof id !== "string" || !onDelivery) return;
  const dash = id.indexOf("-");
  if (id.slice(1, dash) !== String(phase)) return;
  onDelivery(Number(id.slice(dash + 1)), now);
}

async function connectAll(url: string, users: ClientUser[], concurrency: number): Promise<ConnectResult> {
  await disconnectAll();
  const t0 = performance.now();
  let failed = 0;
  let subscribeFailed = 0;
  let firstError: string | undefined;
  roomSize.clear();
  const made = await mapLimit(users, concurrency, async (u) => {
    const socket = ioClient(url, {
      auth: { token: u.token },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      timeout: 15_000,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error("connect timed out")), 15_000);
        socket.once("connect", () => {
          clearTimeout(t);
          resolve();
        });
        socket.once("connect_error", (e) => {
          clearTimeout(t);
          reject(e);
        });
      });
      const res = (await socket
        .timeout(15_000)
        .emitWithAck("room:subscribe", { roomId: u.roomId })) as AckShape;
      if (!res?.ok) {
        subscribeFailed++;
        firstError ??= `subscribe: ${JSON.stringify(res)}`;
        socket.disconnect();
        return null;
      }
    } catch (err) {
      failed++;
      firstError ??= err instanceof Error ? err.message : String(err);
      socket.disconnect();
      return null;
    }
    socket.on("message:created", handleDelivery);
    socket.on("disconnect", () => {
      disconnects++;
    });
    roomSize.set(u.roomId, (roomSize.get(u.roomId) ?? 0) + 1);
    return { socket, roomId: u.roomId } satisfies Conn;
  });
  conns = made.filter((c): c is Conn => c !== null);
  disconnects = 0;
  const r: ConnectResult = { connected: conns.length, failed, subscribeFailed, ms: performance.now() - t0 };
  if (firstError !== undefined) r.firstError = firstError;
  return r;
}

async function disconnectAll(): Promise<void> {
  for (const c of conns) {
    c.socket.off("disconnect");
    c.socket.disconnect();
  }
  conns = [];
  roomSize.clear();
  await sleep(200);
}

const countError = (errors: Record<string, number>, code: string) => {
  errors[code] = (errors[code] ?? 0) + 1;
};

async function ratePhase(
  rate: number,
  seconds: number,
  drainMs: number,
  maxOutstanding: number,
): Promise<RateResult> {
  if (conns.length === 0) throw new Error("no sockets connected");
  phase++;
  const myPhase = phase;
  const total = Math.max(1, Math.round(rate * seconds));
  const scheduledAt = new Float64Array(total);
  // Per send: deliveries seen, whether it was acked, and the room size it should reach.
  const seen = new Uint16Array(total);
  const ackedIdx = new Uint8Array(total);
  const sizeOf = new Uint16Array(total);
  const deliver = new Samples(Math.min(20_000_000, total * 64));
  const ack = new Samples(total);
  const ackErrors: Record<string, number> = {};
  let sent = 0;
  let skipped = 0;
  let ackOk = 0;
  let ackTimeouts = 0;
  let outstanding = 0;
  let expectedDeliveries = 0;
  let delivered = 0;
  const disconnects0 = disconnects;
  onDelivery = (idx, now) => {
    if (idx < 0 || idx >= total) return;
    delivered++;
    if (seen[idx]! < 65_535) seen[idx]!++;
    deliver.add(now - (scheduledAt[idx] ?? now));
  };
  const cpu = cpuMeter();
  const start = performance.now() + 20;
  const interval = 1000 / rate;
  let next = 0;
  let lastSendAt = start;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / interval) + 1);
      while (next < due) {
        const idx = next++;
        const at = start + idx * interval;
        scheduledAt[idx] = at;
        if (outstanding >= maxOutstanding) {
          skipped++;
          continue;
        }
        const c = conns[idx % conns.length] as Conn;
        sizeOf[idx] = roomSize.get(c.roomId) ?? 0;
        outstanding++;
        sent++;
        lastSendAt = performance.now();
        c.socket
          .timeout(10_000)
          .emit(
            "message:send",
            { roomId: c.roomId, body: `bench ${myPhase} ${idx}`, clientMsgId: `p${myPhase}-${idx}` },
            (err: unknown, res: AckShape) => {
              outstanding--;
              if (err) ackTimeouts++;
              else if (res?.ok) {
                ackOk++;
                ackedIdx[idx] = 1;
                expectedDeliveries += roomSize.get(c.roomId) ?? 0;
                ack.add(performance.now() - at);
              } else countError(ackErrors, res?.error?.code ?? "unknown");
            },
          );
      }
      if (next >= total) resolve();
      else setTimeout(tick, 1);
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  const sendSeconds = Math.max(1e-3, (lastSendAt - start) / 1000);
  // Drain: wait for acks and deliveries, bounded by drainMs.
  const drainUntil = performance.now() + drainMs;
  while (performance.now() < drainUntil) {
    if (outstanding === 0 && delivered >= expectedDeliveries) break;
    await sleep(20);
  }
  onDelivery = null;
  const clientCpu = cpu();
  let ackedNotFullyDelivered = 0;
  let duplicateDeliveries = 0;
  for (let i = 0; i < total; i++) {
    const want = sizeOf[i] ?? 0;
    const got = seen[i] ?? 0;
    if (ackedIdx[i] && got < want) ackedNotFullyDelivered++;
    if (got > want) duplicateDeliveries += got - want;
  }
  return {
    rate,
    seconds,
    scheduled: total,
    sent,
    skipped,
    achievedSendRate: sent / sendSeconds,
    ackOk,
    ackErrors,
    ackTimeouts,
    expectedDeliveries,
    delivered,
    ackedNotFullyDelivered,
    duplicateDeliveries,
    deliver: deliver.summary(),
    ack: ack.summary(),
    clientCpu,
    disconnects: disconnects - disconnects0,
  };
}

async function saturatePhase(
  window: number,
  seconds: number,
  warmupSeconds: number,
): Promise<SaturateResult> {
  if (conns.length === 0) throw new Error("no sockets connected");
  phase++;
  const myPhase = phase;
  const ackErrors: Record<string, number> = {};
  const t0 = performance.now();
  const winStart = t0 + warmupSeconds * 1000;
  const winEnd = winStart + seconds * 1000;
  let deliveries = 0;
  let acked = 0;
  let ackedTotal = 0;
  let idx = 0;
  let outstanding = 0;
  const disconnects0 = disconnects;
  onDelivery = (_i, now) => {
    if (now >= winStart && now < winEnd) deliveries++;
  };
  let cpu: (() => number) | null = null;
  let clientCpu = 0;
  const cpuStart = setTimeout(() => {
    cpu = cpuMeter();
  }, warmupSeconds * 1000);
  const cpuEnd = setTimeout(
    () => {
      clientCpu = cpu ? cpu() : 0;
    },
    (warmupSeconds + seconds) * 1000,
  );
  const lane = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const sendOne = () => {
        if (performance.now() >= winEnd) return resolve();
        const i = idx++;
        const c = conns[i % conns.length] as Conn;
        outstanding++;
        c.socket
          .timeout(10_000)
          .emit(
            "message:send",
            { roomId: c.roomId, body: `bench ${myPhase} ${i}`, clientMsgId: `p${myPhase}-${i}` },
            (err: unknown, res: AckShape) => {
              outstanding--;
              const now = performance.now();
              if (err) countError(ackErrors, "timeout");
              else if (res?.ok) {
                ackedTotal++;
                if (now >= winStart && now < winEnd) acked++;
              } else countError(ackErrors, res?.error?.code ?? "unknown");
              sendOne();
            },
          );
      };
      sendOne();
    });
  await Promise.all(Array.from({ length: window }, lane));
  // Let the last sends and their fan-out finish before the next phase (bounded).
  const drainUntil = performance.now() + 5_000;
  while (outstanding > 0 && performance.now() < drainUntil) await sleep(20);
  await sleep(300);
  clearTimeout(cpuStart);
  clearTimeout(cpuEnd);
  onDelivery = null;
  return {
    window,
    seconds,
    ackedPerSec: acked / seconds,
    ackedTotal,
    deliveriesPerSec: deliveries / seconds,
    ackErrors,
    clientCpu,
    disconnects: disconnects - disconnects0,
  };
}

async function handle(c: ClientCommand): Promise<ClientReply> {
  try {
    switch (c.cmd) {
      case "connect":
        return { ok: true, result: await connectAll(c.url, c.users, c.concurrency) };
      case "disconnect":
        await disconnectAll();
        return { ok: true, result: null };
      case "rate":
        return { ok: true, result: await ratePhase(c.rate, c.seconds, c.drainMs, c.maxOutstanding) };
      case "saturate":
        return { ok: true, result: await saturatePhase(c.window, c.seconds, c.warmupSeconds) };
      case "exit":
        await disconnectAll();
        setTimeout(() => process.exit(0), 50);
        return { ok: true, result: null };
    }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

if (process.send) {
  process.on("message", (msg: ClientCommand) => {
    void handle(msg).then((reply) => process.send?.(reply));
  });
  // Never outlive the parent.
  process.on("disconnect", () => process.exit(0));
}
