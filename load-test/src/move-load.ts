// Send load for the room-move benchmark (src/bench-move.ts), in a child process so the
// load generator does not share the platform's event loop. Senders POST
// /v1/rooms/:id/messages over HTTP, each with its own clientMsgId, and retry a refused
// send (503: the room is moving or the shard is overloaded; honouring Retry-After, at
// most 1 s) with the SAME clientMsgId, as a real client would, until it is acknowledged
// or a bound passes. Every send's first attempt and acknowledgement are recorded in
// wall-clock milliseconds (performance.timeOrigin-based), comparable across processes.
//
// Protocol (IPC): start → {type:"started"}; stop → {type:"result", ...}; exit.
import { cpuMeter, sleep } from "./stats.js";

export interface LoadSender {
  token: string;
  /** Rooms this sender sends to, round-robin (starting at sender index mod rooms). */
  rooms: number[];
  /** Platform instance this sender talks to. */
  url: string;
}

export type LoadCommand =
  | {
      cmd: "start";
      /** open: `rate` sends/s scheduled over all senders; closed: `window` sends in flight. */
      mode: "open" | "closed";
      senders: LoadSender[];
      rate?: number;
      window?: number;
      /** clientMsgId prefix, unique per phase. */
      prefix: string;
      /** Open loop: most sends unacknowledged at once; beyond it a scheduled send is skipped. */
      maxOutstanding?: number;
    }
  | { cmd: "stop"; drainMs: number }
  | { cmd: "exit" };

/** Column-wise samples (one entry per send), cheap to pass over IPC. */
export interface LoadSamples {
  room: number[];
  sender: number[];
  /** Per-sender send counter: clientMsgId = `${prefix}${sender}-${k}`. */
  k: number[];
  /** First attempt, wall-clock ms. */
  start: number[];
  /** Acknowledgement, wall-clock ms; -1 if never acknowledged. */
  ack: number[];
  /** 503 CHAT_ROOM_MOVING answers this send got before its ack. */
  moving: number[];
  attempts: number[];
}

export interface LoadResult {
  type: "result";
  prefix: string;
  samples: LoadSamples;
  sent: number;
  acked: number;
  skipped: number;
  /** Final failures by code (sends given up on). */
  failures: Record<string, number>;
  /** Refused attempts that were retried, by code. */
  retried: Record<string, number>;
  clientCpu: number;
}

export type LoadReply = { type: "started" } | LoadResult | { type: "error"; error: string };

export const wallNow = (): number => performance.timeOrigin + performance.now();

/** A send is given up after this long (the platform bounds a move's pause far below it). */
const GIVE_UP_MS = 30_000;

class Load {
  readonly #c: Extract<LoadCommand, { cmd: "start" }>;
  readonly s: LoadSamples = { room: [], sender: [], k: [], start: [], ack: [], moving: [], attempts: [] };
  readonly #counters: number[];
  readonly #inflight = new Set<Promise<void>>();
  readonly failures: Record<string, number> = {};
  readonly retried: Record<string, number> = {};
  #stopped = false;
  skipped = 0;
  acked = 0;
  readonly #cpu = cpuMeter();

  constructor(c: Extract<LoadCommand, { cmd: "start" }>) {
    this.#c = c;
    this.#counters = c.senders.map(() => 0);
  }

  start(): void {
    if (this.#c.mode === "open") void this.#open();
    else for (let lane = 0; lane < (this.#c.window ?? 1); lane++) void this.#closed(lane);
  }

  async stop(drainMs: number): Promise<LoadResult> {
    this.#stopped = true;
    const until = performance.now() + drainMs;
    while (this.#inflight.size > 0 && performance.now() < until) await sleep(20);
    return {
      type: "result",
      prefix: this.#c.prefix,
      samples: this.s,
      sent: this.s.room.length,
      acked: this.acked,
      skipped: this.skipped,
      failures: this.failures,
      retried: this.retried,
      clientCpu: this.#cpu(),
    };
  }

  /** Open loop: send i is due at t0 + i/rate, whatever happened to the earlier ones. */
  async #open(): Promise<void> {
    const rate = this.#c.rate ?? 100;
    const max = this.#c.maxOutstanding ?? 2000;
    const t0 = performance.now();
    let i = 0;
    while (!this.#stopped) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      if (this.#stopped) break;
      const sender = i % this.#c.senders.length;
      i++;
      if (this.#inflight.size >= max) {
        this.skipped++;
        continue;
      }
      const p = this.#send(sender).finally(() => this.#inflight.delete(p));
      this.#inflight.add(p);
    }
  }

  async #closed(lane: number): Promise<void> {
    let n = lane;
    while (!this.#stopped) {
      const p = this.#send(n % this.#c.senders.length);
      this.#inflight.add(p);
      await p;
      this.#inflight.delete(p);
      n += this.#c.window ?? 1;
    }
  }

  async #send(sender: number): Promise<void> {
    const snd = this.#c.senders[sender] as LoadSender;
    const k = this.#counters[sender] ?? 0;
    this.#counters[sender] = k + 1;
    // Offset by the sender so that senders do not all hit the same room in the same round.
    const room = snd.rooms[(k + sender) % snd.rooms.length] as number;
    const idx = this.s.room.length;
    const start = wallNow();
    this.s.room.push(room);
    this.s.sender.push(sender);
    this.s.k.push(k);
    this.s.start.push(start);
    this.s.ack.push(-1);
    this.s.moving.push(0);
    this.s.attempts.push(0);
    const body = JSON.stringify({
      body: `move bench ${this.#c.prefix} message ${k} from sender ${sender}`,
      clientMsgId: `${this.#c.prefix}${sender}-${k}`,
    });
    for (;;) {
      this.s.attempts[idx] = (this.s.attempts[idx] ?? 0) + 1;
      let code: string;
      let retryMs = 100;
      try {
        const res = await fetch(`${snd.url}/v1/rooms/${room}/messages`, {
          method: "POST",
          headers: { authorization: `Bearer ${snd.token}`, "content-type": "application/json" },
          body,
        });
        const text = await res.text();
        if (res.status === 201 || res.status === 200) {
          this.s.ack[idx] = wallNow();
          this.acked++;
          return;
        }
        code =
          res.status === 503 ? ((JSON.parse(text) as { code?: string }).code ?? "503") : String(res.status);
        if (res.status !== 503) {
          this.failures[code] = (this.failures[code] ?? 0) + 1;
          return;
        }
        if (code === "CHAT_ROOM_MOVING") this.s.moving[idx] = (this.s.moving[idx] ?? 0) + 1;
        retryMs = Math.min(1000, Number(res.headers.get("retry-after") ?? "1") * 1000);
      } catch (err) {
        code = (err as { cause?: { code?: string } }).cause?.code ?? "fetch-error";
      }
      this.retried[code] = (this.retried[code] ?? 0) + 1;
      if (wallNow() - start > GIVE_UP_MS) {
        this.failures[`gave-up:${code}`] = (this.failures[`gave-up:${code}`] ?? 0) + 1;
        return;
      }
      await sleep(retryMs);
    }
  }
}

let load: Load | null = null;
const reply = (m: LoadReply) => process.send?.(m);

process.on("message", (m: LoadCommand) => {
  void (async () => {
    try {
      if (m.cmd === "start") {
        if (load) throw new Error("already running");
        load = new Load(m);
        load.start();
        reply({ type: "started" });
      } else if (m.cmd === "stop") {
        if (!load) throw new Error("not running");
        const r = await load.stop(m.drainMs);
        load = null;
        reply(r);
      } else {
        process.exit(0);
      }
    } catch (err) {
      reply({ type: "error", error: err instanceof Error ? err.message : String(err) });
    }
  })();
});
process.on("disconnect", () => process.exit(0));
