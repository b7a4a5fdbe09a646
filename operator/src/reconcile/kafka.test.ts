import { describe, expect, it } from "vitest";
import { ReconcileContext } from "../controller/reconcile.js";
import { deps, FakeKube, newChatCluster } from "../testing/fake.js";
import { kafkaPhase } from "./kafka.js";

describe("kafka phase", () => {
  it("managed: config, Service, StatefulSet and (with a quorum) a PDB", async () => {
    const fake = new FakeKube();
    await kafkaPhase.run(
      new ReconcileContext(newChatCluster({ kafka: { managed: { replicas: 3 } } }), deps(fake)),
    );
    expect(fake.kinds()).toEqual([
      "ConfigMap/chat-kafka-config",
      "PodDisruptionBudget/chat-kafka",
      "Service/chat-kafka",
      "StatefulSet/chat-kafka",
    ]);
  });

  it("external: creates nothing", async () => {
    const fake = new FakeKube();
    await kafkaPhase.run(
      new ReconcileContext(
        newChatCluster({ kafka: { external: { bootstrapServers: ["k:9092"] } } }),
        deps(fake),
      ),
    );
    expect(fake.writes).toEqual([]);
  });
});
