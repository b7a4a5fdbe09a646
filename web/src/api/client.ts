// The REST client: openapi-fetch typed by the generated schema, a session that keeps
// the refresh token (rotating it before the access token expires and once more on a
// 401), and problem+json errors turned into ApiError with the server's own message.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type Session = paths["/v1/auth/login"]["post"]["responses"]["200"]["content"]["application/json"];
export type User = Session["user"];
export type Problem = components["schemas"]["Problem"];

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly issues: { path?: string; message?: string }[] = [],
  ) {
    super(detail);
  }
}

/** The message a person should read for a failed call (problem+json detail, or a plain fallback). */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError) return "The server cannot be reached. Check your connection and retry.";
  if (err instanceof Error) return err.message;
  return String(err);
}

const REFRESH_KEY = "chatcluster.refresh";

type Listener = (s: Session | null) => void;

/** Holds the signed-in session; one refresh at a time however many calls hit a 401 together. */
export class Auth {
  session: Session | null = null;
  private listeners = new Set<Listener>();
  private refreshing: Promise<Session | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get token(): string | null {
    return this.session?.accessToken ?? null;
  }

  set(s: Session | null): void {
    this.session = s;
    clearTimeout(this.timer);
    if (s) {
      localStorage.setItem(REFRESH_KEY, s.refreshToken);
      // Rotate a minute before the access token expires (at least half-way through).
      const ms = Math.max(s.expiresIn * 500, (s.expiresIn - 60) * 1000);
      this.timer = setTimeout(() => void this.refresh(), ms);
    } else {
      localStorage.removeItem(REFRESH_KEY);
    }
    for (const l of this.listeners) l(s);
  }

  storedRefreshToken(): string | null {
    return localStorage.getItem(REFRESH_KEY);
  }

  /** Exchanges the refresh token for a new session; null (signed out) when it is no longer valid. */
  refresh(): Promise<Session | null> {
    this.refreshing ??= (async () => {
      const token = this.session?.refreshToken ?? this.storedRefreshToken();
      if (!token) return null;
      try {
        const { data, response } = await raw.POST("/v1/auth/refresh", { body: { refreshToken: token } });
        if (data) {
          this.set(data);
          return data;
        }
        if (response.status === 401) this.set(null);
        return null;
      } catch {
        return null; // offline: keep the session, the socket retries
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }
}

export const auth = new Auth();

/** Untyped-auth client for the auth endpoints themselves (no bearer, no retry). */
const raw = createClient<paths>({ baseUrl: "" });

const bearer: Middleware = {
  onRequest({ request, schemaPath }) {
    if (schemaPath.startsWith("/admin/")) return request; // the admin client sets its own token
    if (auth.token) request.headers.set("Authorization", `Bearer ${auth.token}`);
    return request;
  },
};

async function problemOf(res: Response, parsed?: unknown): Promise<ApiError> {
  let body: Partial<Problem> = {};
  if (parsed && typeof parsed === "object") body = parsed as Partial<Problem>;
  else {
    try {
      body = (await res.clone().json()) as Partial<Problem>;
    } catch {
      // not JSON (a proxy's error page), or already read
    }
  }
  return new ApiError(
    res.status,
    body.code ?? `HTTP_${res.status}`,
    body.detail ?? body.title ?? `The server answered ${res.status} ${res.statusText}`.trim(),
    body.issues ?? [],
  );
}

/**
 * fetch with one retry after refreshing an expired access token; a failed answer becomes an
 * ApiError, so every typed call either returns its data or throws the server's message.
 */
async function authedFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  let res = await fetch(input);
  if (res.status === 401 && auth.session && !new URL(input.url).pathname.startsWith("/admin/")) {
    const s = await auth.refresh();
    if (s) {
      retry.headers.set("Authorization", `Bearer ${s.accessToken}`);
      res = await fetch(retry);
    }
  }
  if (!res.ok) throw await problemOf(res);
  return res;
}

export const api = createClient<paths>({ baseUrl: "", fetch: authedFetch });
api.use(bearer);

/** A client for the admin API, with the admin token the operator typed in. */
export function adminApi(token: string) {
  const c = createClient<paths>({
    baseUrl: "",
    fetch: async (req: Request) => {
      const res = await fetch(req);
      if (!res.ok) throw await problemOf(res);
      return res;
    },
  });
  c.use({
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  });
  return c;
}

/** Unwraps an openapi-fetch result (errors already threw in authedFetch). */
export async function call<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await p;
  if (data === undefined && response.status !== 204) throw await problemOf(response, error);
  return data as T;
}

export async function signIn(
  kind: "login" | "register",
  username: string,
  password: string,
): Promise<Session> {
  const res =
    kind === "login"
      ? await raw.POST("/v1/auth/login", { body: { username, password } })
      : await raw.POST("/v1/auth/register", { body: { username, password } });
  if (!res.data) throw await problemOf(res.response, res.error);
  auth.set(res.data);
  return res.data;
}

export async function signOut(): Promise<void> {
  const token = auth.session?.refreshToken;
  auth.set(null);
  if (token) await raw.POST("/v1/auth/logout", { body: { refreshToken: token } }).catch(() => {});
}
