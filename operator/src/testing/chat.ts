// A chat client for the end-to-end suites (local stack and kind): plain fetch against the platform's REST
// API, and a sender that retries each message with its clientMsgId until acknowledged, recording every ack.
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// biome-ignore lint/suspicious/noExplicitAny: the test reads JSON answers dynamically
export type Json = any;

export async function http(base: string, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: {
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
  ) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const period = 1000 / this.perSecond;
    let next = Date.now();
    for (let n = 0; !this.stopped; n++) {
      const clientMsgId = `r${this.roomId}-${n}`;
      const giveUp = Date.now() + 30_000;
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
          this.error = `send ${clientMsgId}: still refused after 30 s`;
          return;
        }
        this.retries++;
        const after = Number(res?.headers.get("retry-after") ?? "0");
        await sleep(Math.min(Math.max(after * 1000, 50), 1000));
      }
      next += period;
      await sleep(Math.max(0, next - Date.now()));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}
