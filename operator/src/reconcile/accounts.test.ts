import { describe, expect, it } from "vitest";
import { ReconcileContext } from "../controller/reconcile.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { accountsPhase } from "./accounts.js";

describe("accounts phase", () => {
  it("one ServiceAccount per operand group, no token mounted", async () => {
    const fake = new FakeKube();
    await accountsPhase.run(new ReconcileContext(newChatCluster(), deps(fake)));
    expect(fake.kinds()).toEqual([
      "ServiceAccount/chat-kafka",
      "ServiceAccount/chat-mysql",
      "ServiceAccount/chat-platform",
      "ServiceAccount/chat-redis",
    ]);
  });

  it("external Kafka and Redis: no account for them", async () => {
    const fake = new FakeKube();
    const cc = newChatCluster({
      kafka: { external: { bootstrapServers: ["k:9092"] } },
      redis: { external: { host: "r" } },
    });
    await accountsPhase.run(new ReconcileContext(cc, deps(fake)));
    expect(fake.kinds()).toEqual(["ServiceAccount/chat-mysql", "ServiceAccount/chat-platform"]);
  });
});
