// A small raw-JSON HTTP client for the Kubernetes API on top of client-node's KubeConfig (which does the
// auth: client certificates, tokens, exec plugins, in-cluster service account).
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const isNotFound = (e: unknown) => e instanceof ApiError && e.code === 404;
export const isConflict = (e: unknown) => e instanceof ApiError && e.code === 409;
export const isGone = (e: unknown) => e instanceof ApiError && e.code === 410;

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: Record<string, unknown>;
}

interface Conn {
  agent: http.Agent;
  headers: Record<string, string>;
  at: number;
}

export class HttpKube {
  private conn?: Conn;
  readonly server: URL;

  /** extraHeaders: e.g. Impersonate-User (tests run the operator as the chart's ServiceAccount). */
  constructor(
    private readonly kc: KubeConfig,
    private readonly extraHeaders: Record<string, string> = {},
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    this.server = new URL(cluster.server);
  }

  /**
   * Auth headers are refreshed every minute (service account tokens rotate). The agent (TLS material) is
   * created once: replacing it would cut the long-running watch streams that use it.
   */
  private async connection(): Promise<Conn> {
    if (this.conn && Date.now() - this.conn.at < 60_000) return this.conn;
    const opts: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = { ...this.extraHeaders };
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = String(v);
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
    const cluster = this.kc.getCurrentCluster();
    const agent =
      this.conn?.agent ??
      (this.server.protocol === "https:"
        ? new https.Agent({
            keepAlive: true,
            maxSockets: 64,
            ca: opts.ca,
            cert: opts.cert,
            key: opts.key,
            rejectUnauthorized: !cluster?.skipTLSVerify,
            servername: cluster?.tlsServerName,
          })
        : new http.Agent({ keepAlive: true, maxSockets: 64 }));
    this.conn = { agent, headers, at: Date.now() };
    return this.conn;
  }

  private url(path: string, query?: RequestOptions["query"]): URL {
    const u = new URL(path, this.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  private async open(method: string, path: string, o: RequestOptions): Promise<http.IncomingMessage> {
    const c = await this.connection();
    const u = this.url(path, o.query);
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = { ...c.headers, Accept: "application/json" };
    if (body !== undefined) {
      headers["Content-Type"] = o.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(body));
    }
    const mod = u.protocol === "https:" ? https : http;
    return await new Promise((resolve, reject) => {
      const req = mod.request(u, { method, headers, agent: c.agent, signal: o.signal }, resolve);
      req.on("error", reject);
      req.setTimeout(o.query?.watch ? 0 : 60_000, () => req.destroy(new Error(`${method} ${path}: timeout`)));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    o: RequestOptions = {},
  ): Promise<T> {
    const res = await this.open(method, path, o);
    const chunks: Buffer[] = [];
    for await (const ch of res) chunks.push(ch as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { message: text };
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const s = json as { reason?: string; message?: string };
      throw new ApiError(status, s.reason ?? "", `${method} ${path}: ${status} ${s.message ?? text}`, json);
    }
    return json as T;
  }

  /** Streams watch events until the server closes the stream (resolves) or the request fails (rejects). */
  async watch(
    path: string,
    query: RequestOptions["query"],
    onEvent: (e: WatchEvent) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const res = await this.open("GET", path, { query: { ...query, watch: 1 }, signal });
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      const chunks: Buffer[] = [];
      for await (const ch of res) chunks.push(ch as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      let s: { reason?: string; message?: string } = {};
      try {
        s = JSON.parse(text);
      } catch {}
      throw new ApiError(status, s.reason ?? "", `watch ${path}: ${status} ${s.message ?? text}`);
    }
    let buf = "";
    for await (const ch of res) {
      buf += (ch as Buffer).toString("utf8");
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) onEvent(JSON.parse(line) as WatchEvent);
        nl = buf.indexOf("\n");
      }
    }
  }

  close(): void {
    this.conn?.agent.destroy();
    this.conn = undefined;
  }
}
