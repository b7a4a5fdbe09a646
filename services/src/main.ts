// Entry point: `node services/dist/main.js` or `npx tsx services/src/main.ts`,
// configured entirely by CHAT_* environment variables (see config.ts).
import { createChatApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { createRootLogger } from "./log.js";
import { installShutdown } from "./shutdown.js";
import { isTransient } from "./transient.js";
import { TransientReporter } from "./transient-log.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createRootLogger({ level: config.logLevel, instanceId: config.instanceId });
  // Fire-and-forget publishes inside socket.io's Redis adapter reject when Redis is down
  // (ioredis' MaxRetriesPerRequestError); that must degrade fan-out, not kill the process
  // or print an error per publish. Anything else unhandled is a bug: an error line.
  let transient = new TransientReporter(log);
  process.on("unhandledRejection", (err) => {
    if (isTransient(err)) transient.report("unhandled", err);
    else log.error({ err }, "unhandled rejection");
  });
  const app = await createChatApp(config, { log });
  transient = new TransientReporter(log, app.metrics.transientFailures);
  const shutdown = installShutdown(app.stop, { deadlineMs: config.shutdownDeadlineMs, log });
  // A thrown exception leaves unknown state behind: drain and exit non-zero.
  process.on("uncaughtException", (err) => {
    log.fatal({ err }, "uncaught exception; shutting down");
    void shutdown("uncaughtException", 1);
  });
  const port = await app.listen();
  log.info({ port, roles: config.roles, url: app.url() }, "chat platform listening");
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
