// The express application: body limits, request metrics, the route registry, and
// problem+json for everything that goes wrong.
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { Api } from "./api.js";
import type { HttpDeps } from "./deps.js";
import { errorHandler, notFound } from "./errors.js";
import { buildOpenApi } from "./openapi.js";
import { adminRoutes } from "./routes/admin.js";
import { authRoutes } from "./routes/auth.js";
import { messageRoutes } from "./routes/messages.js";
import { moveRoutes } from "./routes/moves.js";
import { notificationRoutes } from "./routes/notifications.js";
import { opsRoutes } from "./routes/ops.js";
import { roomRoutes } from "./routes/rooms.js";
import { searchRoutes } from "./routes/search.js";
import { webClient } from "./static.js";

export const API_VERSION = "0.1.0";

export function createHttpApp(d: HttpDeps): { app: Express; api: Api } {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", d.config.trustProxy);
  app.set("etag", false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on("finish", () => {
      // Route templates (not raw URLs) keep label cardinality bounded.
      const route = (req.route?.path as string | undefined) ?? "unmatched";
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      d.metrics.httpRequests.inc({
        route,
        method: req.method,
        status: `${Math.floor(res.statusCode / 100)}xx`,
      });
      d.metrics.httpDuration.observe({ route, method: req.method }, seconds);
    });
    next();
  });
  app.use(express.json({ limit: d.config.limits.bodyBytes, strict: true }));

  const router = express.Router();
  const api = new Api(router, d.tokens, d.config.auth.adminToken);
  let doc: unknown;
  opsRoutes(api, d, () => {
    doc ??= buildOpenApi(api.docs, { version: API_VERSION });
    return doc;
  });
  if (d.gateway) {
    authRoutes(api, d);
    roomRoutes(api, d);
    messageRoutes(api, d);
    adminRoutes(api, d);
    if (d.moves) moveRoutes(api, d.moves);
    if (d.pipeline) {
      searchRoutes(api, d.pipeline.search);
      notificationRoutes(api, d.pipeline.notifications);
    }
  }
  app.use(router);
  if (d.gateway) app.use(webClient(d.config.webDir));
  app.use(notFound);
  app.use(errorHandler(d.log));
  return { app, api };
}
