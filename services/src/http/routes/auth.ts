import { z } from "zod";
import { displayNameSchema, passwordSchema, usernameSchema } from "../../accounts/rules.js";
import { SessionSchema, UserSchema } from "../../contracts/rest.js";
import type { Api } from "../api.js";
import type { HttpDeps } from "../deps.js";
import { perIp } from "../ratelimit.js";
import { idString, limitString } from "../schemas.js";

const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });

export function authRoutes(api: Api, d: HttpDeps): void {
  api.add({
    method: "post",
    path: "/v1/auth/register",
    summary: "Create an account and sign in",
    tag: "auth",
    auth: "none",
    body: z.strictObject({
      username: usernameSchema,
      password: passwordSchema,
      displayName: displayNameSchema.optional(),
    }),
    before: [perIp(d.limiters.registerIp, d.metrics)],
    response: { status: 201, description: "Account created; session tokens", schema: SessionSchema },
    errors: ["CHAT_USERNAME_TAKEN", "CHAT_RATE_LIMITED"],
    handler: ({ body }) => d.accounts.register(body),
  });

  api.add({
    method: "post",
    path: "/v1/auth/login",
    summary: "Sign in with username and password",
    tag: "auth",
    auth: "none",
    body: z.strictObject({
      username: z.string().trim().toLowerCase().min(1).max(32),
      password: passwordSchema,
    }),
    before: [perIp(d.limiters.loginIp, d.metrics)],
    response: { status: 200, description: "Session tokens", schema: SessionSchema },
    errors: ["CHAT_INVALID_CREDENTIALS", "CHAT_RATE_LIMITED"],
    // Failed attempts are limited per account+IP and, from unknown addresses, slowed per
    // account (login-guard.ts): guessing stops without locking the owner out.
    handler: ({ body, req }) =>
      d.loginGuard.attempt(body.username, req.ip ?? "unknown", () =>
        d.accounts.login(body.username, body.password),
      ),
  });

  api.add({
    method: "post",
    path: "/v1/auth/refresh",
    summary: "Rotate a refresh token for a new session",
    tag: "auth",
    auth: "none",
    body: refreshBody,
    response: {
      status: 200,
      description: "New session tokens (the old refresh token is spent)",
      schema: SessionSchema,
    },
    errors: ["CHAT_REFRESH_TOKEN_INVALID"],
    handler: ({ body }) => d.accounts.refresh(body.refreshToken),
  });

  api.add({
    method: "post",
    path: "/v1/auth/logout",
    summary: "Revoke a refresh token (and its rotation family)",
    tag: "auth",
    auth: "none",
    body: refreshBody,
    response: { status: 204, description: "Revoked" },
    handler: async ({ body }) => {
      await d.accounts.logout(body.refreshToken);
      return undefined;
    },
  });

  api.add({
    method: "get",
    path: "/v1/me",
    summary: "The signed-in user",
    tag: "users",
    auth: "user",
    response: { status: 200, description: "The user", schema: UserSchema },
    handler: ({ user }) => d.accounts.getUser(user.userId),
  });

  api.add({
    method: "patch",
    path: "/v1/me",
    summary: "Update the signed-in user's profile",
    tag: "users",
    auth: "user",
    body: z.strictObject({ displayName: displayNameSchema.optional() }),
    response: { status: 200, description: "The updated user", schema: UserSchema },
    handler: ({ user, body }) => d.accounts.updateProfile(user.userId, body),
  });

  api.add({
    method: "get",
    path: "/v1/users",
    summary: "Find users by username prefix",
    tag: "users",
    auth: "user",
    query: z.object({
      prefix: z.string().trim().toLowerCase().min(1).max(32),
      limit: limitString(50, 20),
    }),
    response: {
      status: 200,
      description: "Matching users",
      schema: z.object({ users: z.array(UserSchema) }),
    },
    handler: async ({ query }) => ({ users: await d.accounts.searchByPrefix(query.prefix, query.limit) }),
  });

  api.add({
    method: "get",
    path: "/v1/users/:userId",
    summary: "A user by id",
    tag: "users",
    auth: "user",
    params: z.object({ userId: idString }),
    response: { status: 200, description: "The user", schema: UserSchema },
    errors: ["CHAT_USER_NOT_FOUND"],
    handler: ({ params }) => d.accounts.getUser(params.userId),
  });
}
