// A TCP proxy a test can cut and restore: the platform reaches one backend through it,
// so a test can take that backend away (refused connections, open ones reset, as when
// its process is killed) without touching the servers other tests share.
import { connect, createServer, type Server, type Socket } from "node:net";

export class TcpProxy {
  #server: Server | null = null;
  readonly #open = new Set<Socket>();

  private constructor(
    private readonly target: { host: string; port: number },
    public port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const p = new TcpProxy(target, 0);
    await p.restore();
    return p;
  }

  /** A URL like `url` whose host:port is this proxy. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = "127.0.0.1";
    u.port = String(this.port);
    return u.toString();
  }

  /** Starts (again) accepting on the same port. */
  async restore(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.#open.add(s);
        s.on("close", () => this.#open.delete(s));
        s.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Refuses new connections and resets the open ones. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const s of this.#open) s.resetAndDestroy();
    this.#open.clear();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
