// Room moves through the platform's admin API, exactly as the operator issues them:
// POST /admin/moves, then GET /admin/moves/:id until the move ends.
import type { ChatApp } from "../../services/src/app.js";
import type { MoveDto } from "../../services/src/moves/store.js";
import { wallNow } from "./move-load.js";
import { sleep } from "./stats.js";

export interface MoveRun {
  move: MoveDto;
  postAt: number;
  doneAt: number;
  /** Wall-clock time each state was first seen by polling (25 ms). */
  seen: Record<string, number>;
  /** rowsCopied when CatchingUp was first seen (the copy phase's rows). */
  copyRows: number | null;
  /** Whether the bench aborted it for running past BENCH_MOVE_TIMEOUT_MS. */
  abortedByBench: boolean;
}

export async function admin<T>(app: ChatApp, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${app.url()}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${app.config.auth.adminToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

const TERMINAL = new Set(["Done", "Failed", "Aborted"]);

/** POST /admin/moves, then GET /admin/moves/:id every 25 ms until it ends. */
export async function runMove(
  app: ChatApp,
  roomId: number,
  toShard: number,
  reason: string,
  opts: { timeoutMs: number; log: (msg: string) => void },
): Promise<MoveRun> {
  const postAt = wallNow();
  const { move: created } = await admin<{ move: MoveDto }>(app, "POST", "/admin/moves", {
    roomId,
    toShard,
    reason,
  });
  const seen: Record<string, number> = { [created.state]: wallNow() };
  let copyRows: number | null = null;
  let move = created;
  let abortedByBench = false;
  const until = performance.now() + opts.timeoutMs;
  while (!TERMINAL.has(move.state)) {
    if (!abortedByBench && performance.now() > until) {
      opts.log(`move ${move.id} still ${move.state} after ${opts.timeoutMs / 1000} s: aborting it`);
      abortedByBench = true;
      await admin(app, "POST", `/admin/moves/${created.id}/abort`).catch((e: unknown) => opts.log(String(e)));
    }
    if (performance.now() > until + 300_000)
      throw new Error(`move ${move.id} did not end: ${JSON.stringify(move)}`);
    await sleep(25);
    move = (await admin<{ move: MoveDto }>(app, "GET", `/admin/moves/${created.id}`)).move;
    if (seen[move.state] === undefined) {
      seen[move.state] = wallNow();
      if (move.state === "CatchingUp") copyRows = move.rowsCopied;
    }
  }
  return { move, postAt, doneAt: wallNow(), seen, copyRows, abortedByBench };
}
