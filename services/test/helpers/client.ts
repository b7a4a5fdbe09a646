// Small HTTP and socket.io clients for integration tests.
import { io as ioClient, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../../src/contracts/protocol.js";

// biome-ignore lint/suspicious/noExplicitAny: tests inspect JSON responses dynamically
export type Json = any;
type Loose = { on(e: string, f: (v: never) => void): void; off(e: string, f: (v: never) => void): void };

export interface HttpResult<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export class HttpClient {
  constructor(
    readonly base: string,
    public token?: string,
  ) {}

  async req<T = Json>(
    method: string,
    path: string,
    opts: { body?: unknown; raw?: string; headers?: Record<string, string>; token?: string | null } = {},
  ): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === null ? undefined : (opts.token ?? this.token);
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(this.base + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // keep text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get = <T = Json>(p: string, o?: Parameters<HttpClient["req"]>[2]) => this.req<T>("GET", p, o);
  post = <T = Json>(p: string, body?: unknown, o: Parameters<HttpClient["req"]>[2] = {}) =>
    this.req<T>("POST", p, { ...o, body });
  patch = <T = Json>(p: string, body?: unknown, o: Parameters<HttpClient["req"]>[2] = {}) =>
    this.req<T>("PATCH", p, { ...o, body });
  put = <T = Json>(p: string, body?: unknown, o: Parameters<HttpClient["req"]>[2] = {}) =>
    this.req<T>("PUT", p, { ...o, body });
  del = <T = Json>(p: string, o?: Parameters<HttpClient["req"]>[2]) => this.req<T>("DELETE", p, o);
}

export interface TestUser {
  id: number;
  username: string;
  token: string;
  refreshToken: string;
  http: HttpClient;
}

let counter = 0;
export async function registerUser(base: string, prefix = "user"): Promise<TestUser> {
  counter += 1;
  const username = `${prefix}${counter}x${Math.random().toString(36).slice(2, 7)}`;
  const anon = new HttpClient(base);
  const res = await anon.post("/v1/auth/register", { username, password: "correct horse battery" });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user.id,
    username,
    token: res.body.accessToken,
    refreshToken: res.body.refreshToken,
    http: new HttpClient(base, res.body.accessToken),
  };
}

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function connectSocket(base: string, token: string): Promise<ChatSocket> {
  const s: ChatSocket = ioClient(base, {
    auth: { token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    s.once("connect", () => resolve());
    s.once("connect_error", (e) => reject(e));
  });
  return s;
}

/** Emits with an ack and a timeout (socket.io-client's emitWithAck). */
export function call(s: ChatSocket, event: string, payload: unknown, timeoutMs = 5000): Promise<Json> {
  return (
    s.timeout(timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<Json> }
  ).emitWithAck(event, payload);
}

export function nextEvent<T = Json>(
  s: ChatSocket,
  event: string,
  timeoutMs = 5000,
  filter?: (v: T) => boolean,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      (s as unknown as Loose).off(event, on);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const on = (v: T) => {
      if (filter && !filter(v)) return;
      clearTimeout(t);
      (s as unknown as Loose).off(event, on);
      resolve(v);
    };
    (s as unknown as Loose).on(event, on);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
