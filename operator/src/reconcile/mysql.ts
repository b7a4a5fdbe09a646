// MySQL: the my.cnf ConfigMap, the catalog, and one StatefulSet + headless Service per shard.
import { effectiveShards } from "../api/index.js";
import { EventReason } from "../controller/conditions.js";
import { type Phase, proceed } from "../controller/reconcile.js";
import type { KObject } from "../kube/resources.js";
import {
  buildMysqlConfigMap,
  buildMysqlService,
  buildMysqlStatefulSet,
  type MysqlTarget,
} from "../specs/mysql.js";

export const mysqlPhase: Phase = {
  name: "mysql",
  async run(ctx) {
    await ctx.ensure(buildMysqlConfigMap(ctx.cc));
    const catalog: MysqlTarget = { role: "catalog" };
    await ctx.ensureAll([buildMysqlService(ctx.cc, catalog), buildMysqlStatefulSet(ctx.cc, catalog)]);
    const known = ctx.cc.status?.shards?.length ?? 0;
    for (let index = 0; index < effectiveShards(ctx.cc); index++) {
      const t: MysqlTarget = { role: "shard", index };
      await ctx.ensure(buildMysqlService(ctx.cc, t));
      const res = await ctx.ensure(buildMysqlStatefulSet(ctx.cc, t));
      if (res === "created" && known > 0 && index >= known) {
        ctx.recorder.event(
          ctx.cc as unknown as KObject,
          "Normal",
          EventReason.ShardAdded,
          `added shard ${index}`,
        );
      }
    }
    return proceed;
  },
};
