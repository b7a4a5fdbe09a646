// The platform's admin API as the rebalancer uses it (docs/operator-design.md, "Rebalancing"): heat, shards,
// shard activation and room moves. The bearer token is the credentials Secret's admin-token; it is only ever
// put in the Authorization header — never in a message, a log line or an error.
import type { ChatClusterStatusRebalanceMove } from "../api/index.js";
import { describe, type Fetch } from "./prometheus.js";

/** How the operator reaches the platforms it rebalances (from the operator's own env). */
export interface RebalanceEnv {
  /** PLATFORM_ADMIN_URL: one admin base URL for every cluster (dev loops with the platform outside the cluster). */
  adminUrl?: string;
  fetch?: Fetch;
}

/** The CRD's status.rebalance.moves[].state enum, which the platform's admin API shares. */
export type MoveState = ChatClusterStatusRebalanceMove["state"];

// A Record so the compiler notices a state the CRD gains and this list lacks.
const STATES: Record<MoveState, true> = {
  Pending: true,
  Copying: true,
  CatchingUp: true,
  Fenced: true,
  Verifying: true,
  Flipped: true,
  CleaningUp: true,
  Done: true,
  Failed: true,
  Aborted: true,
};
export const MOVE_STATES: ReadonlySet<string> = new Set(Object.keys(STATES));
export const TERMINAL_MOVE_STATES: ReadonlySet<string> = new Set(["Done", "Failed", "Aborted"]);

export interface AdminMove {
  id: string;
  roomId: number;
  fromShard: number;
  toShard: number;
  state: MoveState;
  epoch: number | null;
  rowsCopied: number;
  writePauseMillis: number | null;
  startTime: string;
  finishTime: string | null;
  reason: string | null;
}

export interface AdminShard {
  shardId: number;
  state: string;
  rooms: number;
}

export interface AdminHeat {
  halfLifeSeconds: number;
  instances?: number;
  shards: {
    shardId: number;
    rate: number;
    trackedRooms: number;
    rooms: { roomId: number; rate: number; share: number; rateError: number }[];
  }[];
}

/** A failed admin call: HTTP status (0 when unreachable) and the problem+json code when there was one. */
export class AdminError extends Error {
  override readonly name = "AdminError";
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }

  /** The platform could not be asked at all, or failed itself: worth a retry later. */
  get unavailable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 401 || this.status === 403;
  }
}

export class PlatformAdmin {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly http: Fetch = fetch,
    private readonly timeoutMs = 10_000,
  ) {}

  heat(limit = 16): Promise<AdminHeat> {
    return this.call("GET", `/admin/heat?limit=${limit}`);
  }

  async shards(): Promise<AdminShard[]> {
    return (await this.call<{ shards: AdminShard[] }>("GET", "/admin/shards")).shards;
  }

  activate(shardId: number): Promise<AdminShard> {
    return this.call("POST", `/admin/shards/${shardId}/activate`);
  }

  async startMove(roomId: number, toShard: number, reason: string): Promise<AdminMove> {
    return (await this.call<{ move: AdminMove }>("POST", "/admin/moves", { roomId, toShard, reason })).move;
  }

  async move(id: string): Promise<AdminMove> {
    return (await this.call<{ move: AdminMove }>("GET", `/admin/moves/${encodeURIComponent(id)}`)).move;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const what = `${method} ${path.split("?")[0]}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: "application/json",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await this.http(`${this.baseUrl.replace(/\/+$/, "")}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new AdminError(`${what}: cannot reach the platform at ${this.baseUrl}: ${describe(e)}`, 0);
    }
    const text = await res.text().catch(() => "");
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const p = (json ?? {}) as { code?: string; detail?: string; title?: string };
      const detail = p.detail ?? p.title ?? text.slice(0, 200);
      throw new AdminError(
        `${what}: HTTP ${res.status}${p.code ? ` ${p.code}` : ""}${detail ? `: ${detail}` : ""}`,
        res.status,
        p.code,
      );
    }
    if (json === undefined)
      throw new AdminError(`${what}: HTTP ${res.status} without a JSON body`, res.status);
    return json as T;
  }
}
