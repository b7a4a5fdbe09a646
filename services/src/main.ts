// Entry point: `node services/dist/main.js` or `npx tsx services/src/main.ts`,
// configured entirely by CHAT_* environment variables (see config.ts).
import { createChatApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { createRootLogger } from "./log.js";
import { installShutdown } from "./shutdown.js";

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
  const app = await createChatApp(config, { log });
  installShutdown(app.stop, { deadlineMs: config.shutdownDeadlineMs, log });
  const port = await app.listen();
  log.info({ port, roles: config.roles, url: app.url() }, "chat platform listening");
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
