// Kafka for the pipeline tests: the shared local broker from .run/infra.env, and —
// for the stop/start test — a private single-node KRaft broker on free ports with its
// own temp data dir, started the way hack/infra-up.sh starts the shared one.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { INFRA_ENV_PATH, readInfraEnv } from "./infra.js";
import { freePort } from "./process.js";

export function sharedKafkaBrokers(): string {
  return readInfraEnv("pipeline tests need", ["kafkaBrokers"]).kafkaBrokers.join(",");
}

export const kafkaClient = (brokers: string) =>
  new Kafka({
    clientId: "pipeline-test",
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  });

/** Deletes the topics of a test's prefix (best effort). */
export async function deleteTopics(brokers: string, prefix: string): Promise<void> {
  const admin = kafkaClient(brokers).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(prefix));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => {});
  } catch {
    // best effort
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export interface TopicRecord {
  partition: number;
  offset: number;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Every record of a topic, read from the beginning up to the current high watermarks. */
export async function readTopic(brokers: string, topic: string, timeoutMs = 30_000): Promise<TopicRecord[]> {
  const kafka = kafkaClient(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const high = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const want = new Map(high.map((p) => [p.partition, Number(p.high)]));
  const out: TopicRecord[] = [];
  const done = () =>
    [...want].every(([p, h]) => h === 0 || out.some((r) => r.partition === p && r.offset >= h - 1));
  if (done()) return out;
  const consumer = kafka.consumer({
    groupId: `reader-${randomBytes(4).toString("hex")}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let resolveDone: () => void = () => {};
  const finished = new Promise<void>((r) => {
    resolveDone = r;
  });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
      out.push({
        partition,
        offset: Number(message.offset),
        key: message.key?.toString() ?? "",
        value: message.value?.toString() ?? "",
        headers,
      });
      if (done()) resolveDone();
    },
  });
  await Promise.race([finished, new Promise((r) => setTimeout(r, timeoutMs))]);
  await consumer.disconnect();
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

function kafkaLibs(): string {
  const versions = readFileSync(join(INFRA_ENV_PATH, "../../hack/versions.env"), "utf8");
  const v = /^KAFKA_VERSION=(.+)$/m.exec(versions)?.[1]?.trim() ?? "3.9.1";
  const libs = join(homedir(), ".cache/chatcluster", `kafka-${v}`, "libs");
  if (!existsSync(libs)) throw new Error(`Kafka jars not found in ${libs}: run \`make setup\``);
  return libs;
}

/** A private Kafka broker: start(), stop() (SIGTERM, data kept), start() again, destroy(). */
export class OwnKafka {
  readonly dir: string;
  #proc: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly controllerPort: number,
    private readonly libs: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), "cc-kafka-"));
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async create(): Promise<OwnKafka> {
    const k = new OwnKafka(await freePort(), await freePort(), kafkaLibs());
    k.#configure();
    await k.#run([
      "kafka.tools.StorageTool",
      "format",
      "-t",
      randomBytes(16).toString("base64url"),
      "-c",
      k.#props,
    ]);
    return k;
  }

  get #props(): string {
    return join(this.dir, "server.properties");
  }

  #configure(): void {
    writeFileSync(
      this.#props,
      [
        "process.roles=broker,controller",
        "node.id=1",
        `controller.quorum.voters=1@127.0.0.1:${this.controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${this.port}`,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        `log.dirs=${join(this.dir, "data")}`,
        "auto.create.topics.enable=false",
        "num.partitions=3",
        "default.replication.factor=1",
        "min.insync.replicas=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=3",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "num.network.threads=2",
        "num.io.threads=2",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(this.dir, "log4j.properties"),
      "log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\n" +
        "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n" +
        "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n",
    );
  }

  #java(args: string[], heap: string): string[] {
    return [
      `-Xmx${heap}`,
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-Djava.awt.headless=true",
      `-Dlog4j.configuration=file:${join(this.dir, "log4j.properties")}`,
      "-cp",
      `${this.libs}/*`,
      ...args,
    ];
  }

  #run(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const p = spawn("java", this.#java(args, "128m"), { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      p.stderr?.on("data", (d: Buffer) => {
        err += d.toString();
      });
      p.on("exit", (code) =>
        code === 0 ? resolve() : reject(new Error(`${args[0]} exited ${code}: ${err}`)),
      );
    });
  }

  async start(timeoutMs = 120_000): Promise<void> {
    if (this.#proc) return;
    const log = openSync(join(this.dir, "kafka.log"), "a");
    this.#proc = spawn("java", this.#java(["kafka.Kafka", this.#props], "384m"), {
      stdio: ["ignore", log, log],
    });
    const proc = this.#proc;
    proc.on("exit", () => {
      if (this.#proc === proc) this.#proc = null;
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.#proc) throw new Error(`kafka exited at start; see ${join(this.dir, "kafka.log")}`);
      const admin = kafkaClient(this.brokers).admin();
      try {
        await admin.connect();
        await admin.describeCluster();
        await admin.disconnect();
        return;
      } catch {
        await admin.disconnect().catch(() => {});
        if (Date.now() > deadline) throw new Error(`kafka not ready after ${timeoutMs}ms`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Stops the broker process (SIGTERM; SIGKILL after 30 s). Data stays. */
  async stop(): Promise<void> {
    const p = this.#proc;
    if (!p) return;
    const exited = new Promise<void>((r) => p.once("exit", () => r()));
    p.kill("SIGTERM");
    const t = setTimeout(() => p.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(t);
    this.#proc = null;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
