// Starts one platform instance (monolith: gateway + realtime) on 127.0.0.1 against the
// local data plane, with its own databases and Redis prefix, for the k6 scripts:
//
//   npm run serve -w load-test -- [--port 18080] [--shards 2] [--seconds 600]
//   ~/.cache/chatcluster/bin/k6 run -e BASE_URL=http://127.0.0.1:18080 load-test/k6/http-send.js
//
// Registration and login limits are raised (k6 setup registers many users from one IP)
// and argon2 is cheap; everything else is the platform's default configuration. Stops
// after --seconds (bounded) or on SIGINT/SIGTERM, and drops its databases either way.
import { createChatApp } from "../../services/src/app.js";
import { benchConfig, createBenchDatabases, dropAllBenchDatabases } from "./infra.js";

const argv = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(argv[i + 1]) : def;
  return Number.isFinite(n) && n >= 0 ? n : def;
};
const port = opt("port", 18080);
const shards = opt("shards", 2);
const seconds = Math.min(opt("seconds", 600), 4 * 3600);

const dbs = await createBenchDatabases(shards, "k");
let app: Awaited<ReturnType<typeof createChatApp>> | null = null;
let stopping = false;
const stop = async (why: string, code: number) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`serve: stopping (${why})\n`);
  await app?.stop().catch(() => {});
  await dropAllBenchDatabases().catch(() => {});
  process.exit(code);
};
process.once("SIGINT", () => void stop("SIGINT", 0));
process.once("SIGTERM", () => void stop("SIGTERM", 0));
try {
  app = await createChatApp(
    benchConfig(dbs, { CHAT_PORT: String(port), CHAT_LOG_LEVEL: process.env.CHAT_BENCH_LOG_LEVEL ?? "warn" }),
  );
  await app.listen();
} catch (err) {
  process.stderr.write(`serve: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  await stop("start failed", 1);
}
process.stdout.write(
  `serve: platform listening on ${app?.url()} (${shards} shards, databases chat_bench${dbs.id}_*)\n`,
);
process.stdout.write(`serve: stops by itself after ${seconds} s\n`);
setTimeout(() => void stop(`--seconds ${seconds} elapsed`, 0), seconds * 1000).unref();
// Keep the process alive until stop (the HTTP server holds the loop).
