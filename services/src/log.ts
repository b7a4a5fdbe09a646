// One pino root logger per process; modules take child loggers so every line
// carries its component. Secrets are redacted at the root so no module can leak them.
import { type Logger, pino } from "pino";

export type { Logger };

export function createRootLogger(opts: { level: string; instanceId: string }): Logger {
  return pino({
    level: opts.level,
    base: { instance: opts.instanceId },
    redact: {
      paths: [
        "password",
        "*.password",
        "token",
        "*.token",
        "refreshToken",
        "*.refreshToken",
        "accessToken",
        "*.accessToken",
        "req.headers.authorization",
        "headers.authorization",
      ],
      censor: "[redacted]",
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** A logger that drops everything; for unit tests. */
export const silentLogger = (): Logger => pino({ level: "silent" });
