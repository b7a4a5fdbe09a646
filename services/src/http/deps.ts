import type { AccountService } from "../accounts/service.js";
import type { TokenService } from "../accounts/tokens.js";
import type { Config } from "../config.js";
import type { ClusterHeat } from "../heat/cluster.js";
import type { Logger } from "../log.js";
import type { MessageService } from "../messages/service.js";
import type { Metrics } from "../metrics.js";
import type { MoveService } from "../moves/service.js";
import type { PipelineHttp } from "../pipeline/index.js";
import type { ReadStateService } from "../readstate/service.js";
import type { RoomService } from "../rooms/service.js";
import type { RoomDirectory } from "../sharding/directory.js";
import type { ShardSet } from "../sharding/shards.js";
import type { LoginGuard } from "./login-guard.js";
import type { Limiter } from "./ratelimit.js";

export interface Readiness {
  ok: boolean;
  checks: Record<string, "ok" | string>;
}

/** Everything the HTTP layer needs; built by app.ts, stubbed in unit tests. */
export interface HttpDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  tokens: TokenService;
  accounts: AccountService;
  rooms: RoomService;
  messages: MessageService;
  readState: ReadStateService;
  directory: RoomDirectory;
  shards: ShardSet;
  limiters: { loginIp: Limiter; registerIp: Limiter };
  loginGuard: LoginGuard;
  readiness: () => Promise<Readiness>;
  /** Whether this instance serves the REST API (gateway role); health and metrics are always served. */
  gateway: boolean;
  /** Search and notification queries (event pipeline); their routes are served when present. */
  pipeline?: PipelineHttp;
  /** Per-room heat summed over the live instances (GET /admin/heat); empty when absent. */
  heat?: ClusterHeat;
  /** Online room moves (admin API); the move routes are served when present. */
  moves?: MoveService;
}
