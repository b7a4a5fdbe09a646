// The one answer to "is this failure worth retrying?", beside the error catalog
// (errors.ts). Before, five places kept their own code lists and disagreed (the mover
// did not know EPIPE, the relay only knew lock conflicts, …).
//
//  - backend unavailable: the connection to MySQL or Redis is down or refused → the
//    client gets a retryable 503 CHAT_BACKEND_UNAVAILABLE;
//  - lock conflict: InnoDB chose this transaction as a deadlock victim or a lock wait
//    timed out → run the transaction again;
//  - transient: either of those, an interrupted query, or a refusal the catalog marks
//    retryable (every 503: room moving, shard or backend unavailable, overloaded).
// Driver and socket error codes that mean "a backend is down", not "the server has a bug".
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "PROTOCOL_CONNECTION_LOST",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
]);

const LOCK_CONFLICT_CODES: ReadonlySet<string> = new Set(["ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT"]);

const OTHER_TRANSIENT_SQL: ReadonlySet<string> = new Set(["ER_QUERY_INTERRUPTED"]);

const codeOf = (err: unknown): string => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
};

export function isBackendUnavailable(err: unknown): boolean {
  if (UNAVAILABLE_CODES.has(codeOf(err))) return true;
  const e = err as { name?: unknown; message?: unknown } | null;
  // ioredis reports a closed or retrying connection by class name or message only.
  if (e?.name === "MaxRetriesPerRequestError") return true;
  return typeof e?.message === "string" && /^(Connection is closed|Stream isn't writeable)/.test(e.message);
}

export const isLockConflict = (err: unknown): boolean => LOCK_CONFLICT_CODES.has(codeOf(err));

export function isTransient(err: unknown): boolean {
  // An AppError, recognized by name: errors.ts imports this file, so importing the class here would be a cycle.
  const app = err as { name?: unknown; status?: unknown } | null;
  if (app?.name === "AppError") return app.status === 503;
  return isBackendUnavailable(err) || isLockConflict(err) || OTHER_TRANSIENT_SQL.has(codeOf(err));
}
