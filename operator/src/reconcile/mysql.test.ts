import { describe, expect, it } from "vitest";
import { ReconcileContext } from "../controller/reconcile.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { mysqlPhase } from "./mysql.js";

describe("mysql phase", () => {
  it("applies the ConfigMap, the catalog and every shard, each once", async () => {
    const fake = new FakeKube();
    await mysqlPhase.run(new ReconcileContext(newChatCluster({ mysql: { shards: 3 } }), deps(fake)));
    expect(fake.writes.map((w) => `${w.kind}/${w.name}`)).toEqual([
      "ConfigMap/chat-mysql-config",
      "Service/chat-catalog",
      "StatefulSet/chat-catalog",
      "Service/chat-shard-0",
      "StatefulSet/chat-shard-0",
      "Service/chat-shard-1",
      "StatefulSet/chat-shard-1",
      "Service/chat-shard-2",
      "StatefulSet/chat-shard-2",
    ]);
    fake.resetWrites();
    await mysqlPhase.run(new ReconcileContext(newChatCluster({ mysql: { shards: 3 } }), deps(fake)));
    expect(fake.writes).toEqual([]);
  });

  it("emits ShardAdded for a shard beyond the ones in status", async () => {
    const fake = new FakeKube();
    const cc = newChatCluster({ mysql: { shards: 2 } });
    await mysqlPhase.run(new ReconcileContext(cc, deps(fake)));
    const grown = newChatCluster({ mysql: { shards: 3 } });
    grown.status = {
      shards: [0, 1].map((index) => ({ index, name: `chat-shard-${index}`, state: "Ready" as const })),
    };
    const d = deps(fake);
    await mysqlPhase.run(new ReconcileContext(grown, d));
    expect(d.recorder.events).toEqual([
      expect.objectContaining({ reason: "ShardAdded", message: "added shard 2" }),
    ]);
  });
});
