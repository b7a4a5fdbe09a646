import { describe, expect, it } from "vitest";
import { ReconcileContext } from "../controller/reconcile.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { redisPhase } from "./redis.js";

describe("redis phase", () => {
  it("managed by default: config, Service and StatefulSet", async () => {
    const fake = new FakeKube();
    await redisPhase.run(new ReconcileContext(newChatCluster(), deps(fake)));
    expect(fake.kinds()).toEqual([
      "ConfigMap/chat-redis-config",
      "Service/chat-redis",
      "StatefulSet/chat-redis",
    ]);
  });

  it("external: creates nothing", async () => {
    const fake = new FakeKube();
    await redisPhase.run(
      new ReconcileContext(newChatCluster({ redis: { external: { host: "r" } } }), deps(fake)),
    );
    expect(fake.writes).toEqual([]);
  });
});
