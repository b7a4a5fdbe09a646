// Last-resort HTTP error rendering: every error becomes problem+json from the
// catalog. Body-parser failures map to their own codes; anything unexpected is
// logged with its stack here and answered as a bare 500.
import type { NextFunction, Request, Response } from "express";
import { AppError, toProblem } from "../errors.js";
import type { Logger } from "../log.js";
import { isTransient } from "../transient.js";
import { TransientReporter } from "../transient-log.js";

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

function classify(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const e = err as BodyParserError;
  switch (e?.type) {
    case "entity.too.large":
      return new AppError("CHAT_PAYLOAD_TOO_LARGE");
    case "entity.parse.failed":
      return new AppError("CHAT_MALFORMED_JSON");
    case "encoding.unsupported":
    case "charset.unsupported":
      return new AppError("CHAT_UNSUPPORTED_MEDIA_TYPE", "unsupported body encoding or charset");
    default:
      if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) {
        return new AppError("CHAT_VALIDATION_FAILED", "the request could not be read");
      }
      return err;
  }
}

export const errorHandler = (log: Logger) => {
  const transient = new TransientReporter(log);
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const classified = classify(err);
    const problem = toProblem(classified, req.originalUrl.split("?")[0]);
    if (problem.status >= 500 && !(classified instanceof AppError)) {
      const where = { method: req.method, url: req.originalUrl.split("?")[0] };
      // A backend outage is answered 503 to every request it touches: said at most every
      // few seconds, not once per request (chat_http_requests_total counts them all).
      if (isTransient(classified)) transient.report("http", err, where);
      else log.error({ err, ...where }, "unhandled error");
    }
    if (problem.retryAfterSeconds) res.setHeader("Retry-After", String(problem.retryAfterSeconds));
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(problem.status).type("application/problem+json").send(JSON.stringify(problem));
  };
};

export const notFound = (req: Request, _res: Response, next: NextFunction): void => {
  next(new AppError("CHAT_ROUTE_NOT_FOUND", `no route for ${req.method} ${req.path}`));
};
