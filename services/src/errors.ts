// The one error catalog: every failure a client can see has a stable code, an HTTP
// status and a title. Handlers throw AppError; the HTTP layer renders RFC 9457
// problem+json and the socket layer renders an error ack from the same data.
// Anything that is not an AppError is reported as CHAT_INTERNAL without details, so
// no stack trace or SQL text ever reaches a client.
import { isBackendUnavailable } from "./transient.js";

export const ERROR_CATALOG = {
  CHAT_VALIDATION_FAILED: { status: 400, title: "The request is invalid" },
  CHAT_MALFORMED_JSON: { status: 400, title: "The request body is not valid JSON" },
  CHAT_UNAUTHENTICATED: { status: 401, title: "Authentication is required" },
  CHAT_INVALID_CREDENTIALS: { status: 401, title: "Username or password is wrong" },
  CHAT_REFRESH_TOKEN_INVALID: { status: 401, title: "The refresh token is invalid, expired or revoked" },
  CHAT_FORBIDDEN: { status: 403, title: "You are not allowed to do this" },
  CHAT_NOT_A_MEMBER: { status: 403, title: "You are not a member of this room" },
  CHAT_ROUTE_NOT_FOUND: { status: 404, title: "No such route" },
  CHAT_USER_NOT_FOUND: { status: 404, title: "User not found" },
  CHAT_ROOM_NOT_FOUND: { status: 404, title: "Room not found" },
  CHAT_MESSAGE_NOT_FOUND: { status: 404, title: "Message not found" },
  CHAT_SHARD_NOT_FOUND: { status: 404, title: "No such shard is configured" },
  CHAT_MOVE_NOT_FOUND: { status: 404, title: "Room move not found" },
  CHAT_USERNAME_TAKEN: { status: 409, title: "That username is taken" },
  CHAT_ROOM_FULL: { status: 409, title: "The room has reached its member cap" },
  CHAT_ROOM_NOT_JOINABLE: { status: 409, title: "This room cannot be joined or changed that way" },
  CHAT_OWNER_CANNOT_LEAVE: {
    status: 409,
    title: "The owner cannot leave; transfer ownership or delete the room",
  },
  CHAT_MESSAGE_DELETED: { status: 409, title: "The message was deleted" },
  CHAT_MOVE_CONFLICT: { status: 409, title: "The room move conflicts with its current state" },
  CHAT_PAYLOAD_TOO_LARGE: { status: 413, title: "The request body is too large" },
  CHAT_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Send application/json" },
  CHAT_MOVE_INVALID: { status: 422, title: "The room move cannot be done" },
  CHAT_RATE_LIMITED: { status: 429, title: "Too many requests" },
  CHAT_INTERNAL: { status: 500, title: "Internal error" },
  // Every 503 says when to retry (Retry-After, the ack's retryAfterSeconds): a database
  // or Redis restart measured 5-6 s end to end, so backends get 2 s, the rest 1 s.
  CHAT_ROOM_UNAVAILABLE: {
    status: 503,
    title: "The room is being moved; retry shortly",
    retryAfterSeconds: 1,
  },
  CHAT_ROOM_MOVING: {
    status: 503,
    title: "The room is being moved to another shard; retry shortly",
    retryAfterSeconds: 1,
  },
  CHAT_SHARD_UNAVAILABLE: {
    status: 503,
    title: "The shard does not answer; retry shortly",
    retryAfterSeconds: 2,
  },
  CHAT_OVERLOADED: {
    status: 503,
    title: "Too many sends are waiting to be stored; retry shortly",
    retryAfterSeconds: 1,
  },
  CHAT_NOT_READY: { status: 503, title: "The service is not ready", retryAfterSeconds: 2 },
  CHAT_BACKEND_UNAVAILABLE: {
    status: 503,
    title: "A database or Redis is unreachable; retry shortly",
    retryAfterSeconds: 2,
  },
} as const satisfies Record<string, { status: number; title: string; retryAfterSeconds?: number }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface FieldIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = "AppError";
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly extra: { issues?: FieldIssue[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail ?? ERROR_CATALOG[code].title);
    this.status = ERROR_CATALOG[code].status;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  issues?: FieldIssue[];
  /** When to retry (also the Retry-After header): on 429 and every 503. */
  retryAfterSeconds?: number;
}

export const problemType = (code: ErrorCode): string =>
  `https://chatcluster.dev/problems/${code
    .toLowerCase()
    .replace(/^chat_/, "")
    .replaceAll("_", "-")}`;

/** Converts anything thrown into a client-safe problem. Unknown errors lose all detail. */
export function toProblem(err: unknown, instance?: string): Problem {
  const e =
    err instanceof AppError
      ? err
      : new AppError(isBackendUnavailable(err) ? "CHAT_BACKEND_UNAVAILABLE" : "CHAT_INTERNAL");
  const p: Problem = {
    type: problemType(e.code),
    title: ERROR_CATALOG[e.code].title,
    status: e.status,
    code: e.code,
    detail: e.message,
  };
  if (instance) p.instance = instance;
  if (e.extra.issues) p.issues = e.extra.issues;
  const entry = ERROR_CATALOG[e.code];
  const retry =
    e.extra.retryAfterSeconds ?? ("retryAfterSeconds" in entry ? entry.retryAfterSeconds : undefined);
  if (retry) p.retryAfterSeconds = retry;
  return p;
}

/** The error shape of socket acks: same code and text as HTTP, no stack. */
export function toAckError(err: unknown): {
  ok: false;
  error: { code: ErrorCode; status: number; detail: string; retryAfterSeconds?: number };
} {
  const p = toProblem(err);
  const error: { code: ErrorCode; status: number; detail: string; retryAfterSeconds?: number } = {
    code: p.code,
    status: p.status,
    detail: p.detail,
  };
  // Retryable refusals (429, every 503) say when to retry, like HTTP's Retry-After.
  if (p.retryAfterSeconds) error.retryAfterSeconds = p.retryAfterSeconds;
  return { ok: false, error };
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
