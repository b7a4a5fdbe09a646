// The benchmark's side of the load process (src/move-load.ts): one command at a time over IPC.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LoadCommand, LoadReply, LoadResult } from "./move-load.js";
import { sleep } from "./stats.js";

export class LoadChild {
  readonly #child: ChildProcess;
  #pending: ((r: LoadReply) => void) | null = null;

  constructor() {
    this.#child = fork(fileURLToPath(new URL("./move-load.ts", import.meta.url)), [], {
      execArgv: process.execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.#child.on("message", (m: LoadReply) => {
      const p = this.#pending;
      this.#pending = null;
      p?.(m);
    });
    this.#child.on("exit", (code) => {
      const p = this.#pending;
      this.#pending = null;
      p?.({ type: "error", error: `load process exited (${code})` });
    });
  }

  #call(c: LoadCommand, timeoutMs: number): Promise<LoadReply> {
    if (this.#pending) throw new Error("one command at a time");
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.#pending = null;
        reject(new Error(`load command ${c.cmd} timed out`));
      }, timeoutMs);
      this.#pending = (r) => {
        clearTimeout(t);
        if (r.type === "error") reject(new Error(r.error));
        else resolve(r);
      };
      this.#child.send(c);
    });
  }

  async start(c: Extract<LoadCommand, { cmd: "start" }>): Promise<void> {
    await this.#call(c, 10_000);
  }

  async stop(drainMs: number): Promise<LoadResult> {
    return (await this.#call({ cmd: "stop", drainMs }, drainMs + 30_000)) as LoadResult;
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || !this.#child.connected) return;
    this.#child.send({ cmd: "exit" } satisfies LoadCommand);
    await sleep(200);
    if (this.#child.exitCode === null) this.#child.kill("SIGKILL");
  }
}
