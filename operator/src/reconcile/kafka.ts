// Kafka: a KRaft StatefulSet + Service + PDB when managed; nothing when external (its endpoint is wired
// into the platform ConfigMap instead).
import { kafkaManaged } from "../api/index.js";
import { type Phase, proceed } from "../controller/reconcile.js";
import { buildKafkaConfigMap, buildKafkaService, buildKafkaStatefulSet } from "../specs/kafka.js";
import { buildKafkaPDB } from "../specs/policies.js";

export const kafkaPhase: Phase = {
  name: "kafka",
  async run(ctx) {
    if (!kafkaManaged(ctx.cc)) return proceed;
    await ctx.ensureAll([
      buildKafkaConfigMap(ctx.cc),
      buildKafkaService(ctx.cc),
      buildKafkaStatefulSet(ctx.cc),
      buildKafkaPDB(ctx.cc),
    ]);
    return proceed;
  },
};
