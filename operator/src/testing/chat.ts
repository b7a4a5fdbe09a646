import { randomBytes } from "node:crypto";
// A chat client for the end-to-end suites (local stack and kind): plain fetch against the platform's REST
// API, and a sender that retries each message with its clientMsgId until acknowledged, recording every ack.
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// biome-ignore lint/suspicious/noExplicitAny: the test reads JSON answers dynamically
export type Json = any;

export async function http(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...headers,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json: Json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

export interface Acked {
  clientMsgId: string;
  id: string;
  seq: number;
}

/** One client sending to one room at a fixed rate; every send retried with its clientMsgId until acked. */
export class Sender {
  acked: Acked[] = [];
  retries = 0;
  error?: string;
  private stopped = false;
  private done: Promise<void>;

  constructor(
    private readonly base: string,
    private readonly token: string,
    readonly roomId: number,
    readonly perSecond: number,
    /** How long one message may keep being refused before the sender reports an error. */
    private readonly giveUpMs = 30_000,
  ) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const period = 1000 / this.perSecond;
    let next = Date.now();
    for (let n = 0; !this.stopped; n++) {
      const clientMsgId = `r${this.roomId}-${n}`;
      const giveUp = Date.now() + this.giveUpMs;
      for (;;) {
        let res: Awaited<ReturnType<typeof http>> | undefined;
        try {
          res = await http(this.base, "POST", `/v1/rooms/${this.roomId}/messages`, this.token, {
            body: `message ${n} to room ${this.roomId}`,
            clientMsgId,
          });
        } catch {
          res = undefined; // outcome unknown: the retry with the same clientMsgId settles it
        }
        if (res && (res.status === 201 || res.status === 200)) {
          this.acked.push({ clientMsgId, id: res.body.id, seq: res.body.seq });
          break;
        }
        // 503: the platform says retry; 502/504: a proxy in front lost the pod mid-request (outcome unknown).
        if (res && ![502, 503, 504].includes(res.status)) {
          this.error = `send ${clientMsgId}: HTTP ${res.status} ${JSON.stringify(res.body)}`;
          return;
        }
        if (Date.now() > giveUp) {
          this.error = `send ${clientMsgId}: still refused after ${this.giveUpMs / 1000} s`;
          return;
        }
        this.retries++;
        const after = Number(res?.headers.get("retry-after") ?? "0");
        await sleep(Math.min(Math.max(after * 1000, 50), 1000));
      }
      // After a stall, carry on at the rate rather than catch up in a burst: a burst after a fault went past the
      // platform's per-user send limit (100 per 10 s) and was refused with 429.
      next = Math.max(next + period, Date.now());
      await sleep(next - Date.now());
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

export interface StoredMessage {
  seq: number;
  id: string;
  clientMsgId: string | null;
}

/** A room's whole history through the REST API, page by page. */
export async function roomHistory(base: string, token: string, roomId: number): Promise<StoredMessage[]> {
  const stored: StoredMessage[] = [];
  let after = 0;
  for (;;) {
    const page = await http(base, "GET", `/v1/rooms/${roomId}/messages?after=${after}&limit=200`, token);
    if (page.status !== 200) throw new Error(`history of room ${roomId}: HTTP ${page.status}`);
    stored.push(...page.body.messages);
    if (!page.body.hasMore || page.body.messages.length === 0) return stored;
    after = page.body.messages.at(-1).seq;
  }
}

/** What the invariants need counted: every ack stored once, seq 1..n without gaps, in send order. */
export function tally(acked: Acked[], stored: StoredMessage[]) {
  const byClientId = new Map(stored.map((m) => [m.clientMsgId, m]));
  const missing = acked.filter((a) => {
    const m = byClientId.get(a.clientMsgId);
    return !m || m.seq !== a.seq || m.id !== a.id;
  }).length;
  let orderViolations = 0;
  for (let i = 1; i < acked.length; i++) if (acked[i]!.seq <= acked[i - 1]!.seq) orderViolations++;
  const gaps = stored.filter((m, i) => m.seq !== i + 1).length;
  return {
    acked: acked.length,
    stored: stored.length,
    duplicates: stored.length - byClientId.size,
    missing,
    gaps,
    orderViolations,
  };
}

/**
 * A client address of its own for one test run, as an ingress would report it (X-Forwarded-For): the
 * platform's per-address limits (sign-ups per hour) then count each run apart, as they would real clients.
 */
export function clientAddress(): Record<string, string> {
  const b = randomBytes(3);
  return { "x-forwarded-for": `198.18.${b[0]}.${(b[1]! % 254) + 1}` };
}

/** A new user with a public room of their own (each sender writes to its own room). */
export async function signUpWithRoom(
  base: string,
  username: string,
  roomName: string,
  headers: Record<string, string> = {},
): Promise<{ token: string; roomId: number }> {
  const reg = await http(
    base,
    "POST",
    "/v1/auth/register",
    undefined,
    { username, password: "correct horse battery staple" },
    headers,
  );
  if (reg.status !== 201)
    throw new Error(`sign-up ${username}: HTTP ${reg.status} ${JSON.stringify(reg.body)}`);
  const token = reg.body.accessToken as string;
  const room = await http(base, "POST", "/v1/rooms", token, { kind: "public", name: roomName });
  if (room.status !== 201)
    throw new Error(`room ${roomName}: HTTP ${room.status} ${JSON.stringify(room.body)}`);
  return { token, roomId: room.body.id as number };
}

/** Each sender's room read back and tallied, and the sums (retries included) for the printed figures. */
export async function tallyAll(base: string, senders: { sender: Sender; token: string }[]) {
  const totals = { acked: 0, stored: 0, duplicates: 0, missing: 0, gaps: 0, orderViolations: 0, retries: 0 };
  const rooms: ({ roomId: number } & ReturnType<typeof tally>)[] = [];
  for (const { sender, token } of senders) {
    const t = tally(sender.acked, await roomHistory(base, token, sender.roomId));
    rooms.push({ roomId: sender.roomId, ...t });
    for (const k of Object.keys(t) as (keyof typeof t)[]) totals[k] += t[k];
    totals.retries += sender.retries;
  }
  return { rooms, totals };
}

/** What every room must show after any fault: each ack stored once, no gap, send order kept. */
export const INTACT = { duplicates: 0, missing: 0, gaps: 0, orderViolations: 0 } as const;
