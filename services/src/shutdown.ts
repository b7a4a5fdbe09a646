// The one graceful shutdown path: SIGTERM/SIGINT → app.stop() under a hard deadline.
// If draining takes longer than the deadline the process exits non-zero anyway, so
// an orchestrator never waits on a wedged instance.
import type { Logger } from "./log.js";

export function installShutdown(
  stop: () => Promise<void>,
  opts: {
    deadlineMs: number;
    log: Logger;
    exit?: (code: number) => void;
    signals?: readonly NodeJS.Signals[];
  },
): (reason: string, minExitCode?: number) => Promise<number> {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let started: Promise<number> | null = null;
  const shutdown = (signal: string, minExitCode = 0): Promise<number> => {
    started ??= (async () => {
      opts.log.info({ signal, deadlineMs: opts.deadlineMs }, "shutdown requested");
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<"deadline">((resolve) => {
        timer = setTimeout(() => resolve("deadline"), opts.deadlineMs);
        timer.unref();
      });
      let code = minExitCode;
      try {
        const outcome = await Promise.race([stop().then(() => "stopped" as const), deadline]);
        if (outcome === "deadline") {
          opts.log.error("shutdown deadline exceeded; exiting anyway");
          code = 1;
        }
      } catch (err) {
        opts.log.error({ err }, "shutdown failed");
        code = 1;
      } finally {
        clearTimeout(timer);
      }
      exit(code);
      return code;
    })();
    return started;
  };
  for (const sig of opts.signals ?? ["SIGTERM", "SIGINT"]) process.once(sig, () => void shutdown(sig));
  return shutdown;
}
