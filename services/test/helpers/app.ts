import { type ChatApp, createChatApp } from "../../src/app.js";
import { createTestDatabases, type TestDatabases, testConfig } from "./infra.js";

export interface TestCluster {
  dbs: TestDatabases;
  apps: ChatApp[];
  /** Starts another instance on an ephemeral port, sharing this file's databases and Redis prefix. */
  start(env?: Record<string, string>): Promise<ChatApp>;
  close(): Promise<void>;
}

export async function createTestCluster(opts: { spares?: boolean } = {}): Promise<TestCluster> {
  const dbs = await createTestDatabases(undefined, opts);
  const apps: ChatApp[] = [];
  return {
    dbs,
    apps,
    async start(env = {}) {
      const app = await createChatApp(testConfig(dbs, env));
      apps.push(app);
      await app.listen();
      return app;
    },
    async close() {
      await Promise.allSettled(apps.map((a) => a.stop()));
      await dbs.drop();
    },
  };
}
