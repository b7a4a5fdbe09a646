// Route registry: one call declares a route's validation, auth, handler *and* its
// OpenAPI entry, so the document cannot drift from what the server accepts.
import type { NextFunction, Request, RequestHandler, Response, Router } from "express";
import type { z } from "zod";
import type { AccessClaims, TokenService } from "../accounts/tokens.js";
import { constantTimeEqual } from "../accounts/tokens.js";
import { AppError, type ErrorCode, type FieldIssue } from "../errors.js";

export type Method = "get" | "post" | "put" | "patch" | "delete";
export type AuthMode = "user" | "admin" | "none";

export interface Ctx<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  user: AccessClaims;
  req: Request;
  res: Response;
}

/** The success response; `also` lists other success statuses a handler may Reply with (same body schema). */
export interface ResponseDoc {
  status: number;
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  also?: readonly { status: number; description: string }[];
}

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  auth: AuthMode;
  params?: P;
  query?: Q;
  body?: B;
  response: ResponseDoc;
  errors?: ErrorCode[];
  before?: RequestHandler[];
  handler: (ctx: Ctx<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown>;
}

export interface RouteDoc {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  auth: AuthMode;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: ResponseDoc;
  errors: ErrorCode[];
}

export function zodIssues(err: z.ZodError, where: string): FieldIssue[] {
  return err.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join("."),
    message: i.message,
  }));
}

function parsePart<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): z.output<S> {
  if (!schema) return {} as z.output<S>;
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = zodIssues(r.error, where);
    const first = issues[0];
    throw new AppError("CHAT_VALIDATION_FAILED", first ? `${first.path}: ${first.message}` : undefined, {
      issues,
    });
  }
  return r.data;
}

const bearer = (req: Request): string | null => {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1] ?? null;
};

/** Lets a handler answer with a status other than the documented default (e.g. 200 for an idempotent replay). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export class Api {
  readonly docs: RouteDoc[] = [];

  constructor(
    readonly router: Router,
    private readonly tokens: TokenService,
    private readonly adminToken: string,
  ) {}

  add<
    P extends z.ZodType = z.ZodUnknown,
    Q extends z.ZodType = z.ZodUnknown,
    B extends z.ZodType = z.ZodUnknown,
  >(def: RouteDef<P, Q, B>): void {
    const errors = new Set<ErrorCode>(def.errors ?? []);
    if (def.params || def.query || def.body) errors.add("CHAT_VALIDATION_FAILED");
    if (def.body) {
      for (const c of [
        "CHAT_MALFORMED_JSON",
        "CHAT_PAYLOAD_TOO_LARGE",
        "CHAT_UNSUPPORTED_MEDIA_TYPE",
      ] as const) {
        errors.add(c);
      }
    }
    if (def.auth !== "none") errors.add("CHAT_UNAUTHENTICATED");
    this.docs.push({
      method: def.method,
      path: def.path,
      summary: def.summary,
      tag: def.tag,
      auth: def.auth,
      ...(def.params ? { params: def.params } : {}),
      ...(def.query ? { query: def.query } : {}),
      ...(def.body ? { body: def.body } : {}),
      response: def.response,
      errors: [...errors],
    });

    const replyStatuses = new Set([def.response.status, ...(def.response.also ?? []).map((a) => a.status)]);
    const handler = async (req: Request, res: Response, _next: NextFunction): Promise<void> => {
      let user = { userId: 0, username: "" } as AccessClaims;
      if (def.auth === "user") {
        const token = bearer(req);
        if (!token) {
          res.setHeader("WWW-Authenticate", "Bearer");
          throw new AppError("CHAT_UNAUTHENTICATED");
        }
        user = await this.tokens.verifyAccess(token);
      } else if (def.auth === "admin") {
        const token = bearer(req);
        if (!token || !constantTimeEqual(token, this.adminToken)) throw new AppError("CHAT_UNAUTHENTICATED");
      }
      if (def.body && req.headers["content-length"] !== "0" && req.body === undefined && hasBody(req)) {
        throw new AppError("CHAT_UNSUPPORTED_MEDIA_TYPE");
      }
      const params = parsePart(def.params, req.params, "params");
      const query = parsePart(def.query, req.query, "query");
      const body = parsePart(def.body, req.body ?? {}, "body");
      const out = await def.handler({ params, query, body, user, req, res });
      if (res.headersSent) return;
      if (out instanceof Reply) {
        // The declaration is the document: a status it does not list is a bug, not a reply.
        if (!replyStatuses.has(out.status)) {
          throw new Error(
            `${def.method} ${def.path} replied ${out.status}, which its declaration does not list`,
          );
        }
        res.status(out.status).json(out.body);
      } else if (out === undefined) {
        res.status(def.response.status === 200 ? 204 : def.response.status).end();
      } else {
        res.status(def.response.status).json(out);
      }
    };
    this.router[def.method](def.path, ...(def.before ?? []), handler);
  }
}

const hasBody = (req: Request): boolean =>
  req.headers["transfer-encoding"] !== undefined ||
  (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
