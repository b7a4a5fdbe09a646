// Socket handlers. Every event is validated, authorized and answered with an ack
// ({ok:true,...} or {ok:false,error}); no handler can throw past this file, so a
// malformed packet never crashes the process.

import type { RateLimiterRedis } from "rate-limiter-flexible";
import { RateLimiterRes } from "rate-limiter-flexible";
import type { Server, Socket } from "socket.io";
import type { z } from "zod";
import type { AccessClaims, TokenService } from "../accounts/tokens.js";
import type { ClientToServerEvents, ServerToClientEvents } from "../contracts/protocol.js";
import { AppError, toAckError } from "../errors.js";
import { roomChannel, userChannel } from "../fanout.js";
import type { Logger } from "../log.js";
import type { MessageService } from "../messages/service.js";
import type { Metrics } from "../metrics.js";
import type { Focus } from "../notifications/focus.js";
import type { ReadStateService } from "../readstate/service.js";
import type { RoomService } from "../rooms/service.js";
import { isTransient } from "../transient.js";
import { TransientReporter } from "../transient-log.js";
import type { Presence } from "./presence.js";
import { clientEventSchemas } from "./schemas.js";

export interface SocketData {
  user: AccessClaims;
}
export type ChatServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeDeps {
  tokens: TokenService;
  rooms: RoomService;
  messages: MessageService;
  readState: ReadStateService;
  presence: Presence;
  /** Which room each socket shows (notifications skip members looking at the room). */
  focus?: Focus;
  typingLimiter: RateLimiterRedis;
  metrics: Metrics;
  log: Logger;
}

type Handler<E extends keyof typeof clientEventSchemas> = (
  payload: z.output<(typeof clientEventSchemas)[E]>,
  socket: ChatSocket,
) => Promise<Record<string, unknown>>;

export const presenceChannel = (userId: number): string => `presence:${userId}`;

export interface RealtimeHandle {
  /** Stops presence bookkeeping before this node's sockets are dropped on shutdown. */
  beginShutdown(): Promise<void>;
}

export function attachRealtime(io: ChatServer, d: RealtimeDeps): RealtimeHandle {
  let stopping = false;
  const transientLog = new TransientReporter(d.log, d.metrics.transientFailures);
  io.use(async (socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const header = socket.handshake.headers.authorization;
    const token =
      typeof auth?.token === "string"
        ? auth.token
        : typeof header === "string"
          ? header.replace(/^Bearer\s+/i, "")
          : "";
    try {
      if (!token) throw new AppError("CHAT_UNAUTHENTICATED");
      socket.data.user = await d.tokens.verifyAccess(token);
      next();
    } catch (err) {
      const e = new Error(err instanceof AppError ? err.message : "authentication failed") as Error & {
        data?: unknown;
      };
      // A backend that cannot confirm the session is a retryable 503, not a bad token.
      e.data = toAckError(
        err instanceof AppError || isTransient(err) ? err : new AppError("CHAT_UNAUTHENTICATED"),
      ).error;
      next(e);
    }
  });

  io.on("connection", (socket) => {
    const { userId } = socket.data.user;
    d.metrics.socketsConnected.inc();
    void socket.join(userChannel(userId));
    void d.presence
      .set(userId, socket.id, "online")
      .then((status) => io.to(presenceChannel(userId)).emit("presence", { userId, status }))
      .catch((err: unknown) => d.log.warn({ err }, "presence update failed"));

    socket.on("disconnect", () => {
      d.metrics.socketsConnected.dec();
      // On shutdown Presence.stop() already removed this node's sockets, and Redis
      // is about to close: publishing now would only fail.
      if (stopping) return;
      void d.focus?.remove(userId, socket.id).catch(() => {});
      void d.presence
        .remove(userId, socket.id)
        .then((status) => io.to(presenceChannel(userId)).emit("presence", { userId, status }))
        .catch(() => {});
    });

    const on = <E extends keyof typeof clientEventSchemas>(event: E, fn: Handler<E>): void => {
      (socket as unknown as { on: (e: string, l: (...a: unknown[]) => void) => void }).on(
        event,
        (...args) => {
          const last = args.at(-1);
          const ack = typeof last === "function" ? (last as (r: unknown) => void) : null;
          const payload = ack ? args.slice(0, -1)[0] : args[0];
          void (async () => {
            try {
              const parsed = clientEventSchemas[event].safeParse(payload);
              if (!parsed.success) {
                const first = parsed.error.issues[0];
                const where = first ? `${first.path.join(".") || "payload"}: ${first.message}` : undefined;
                throw new AppError("CHAT_VALIDATION_FAILED", where);
              }
              const out = await fn(parsed.data as z.output<(typeof clientEventSchemas)[E]>, socket);
              d.metrics.socketEvents.inc({ event, outcome: "ok" });
              ack?.({ ok: true, ...out });
            } catch (err) {
              const res = toAckError(err);
              const transient = res.error.status >= 500 && isTransient(err);
              d.metrics.socketEvents.inc({
                event,
                outcome: transient ? "unavailable" : res.error.status >= 500 ? "error" : "rejected",
              });
              // A backend outage fails every event it touches: counted and said once in a
              // while; only what is not retryable (a bug) is an error line each time.
              if (transient && !(err instanceof AppError)) transientLog.report("socket", err, { event });
              else if (res.error.status >= 500 && !(err instanceof AppError)) {
                d.log.error({ err, event }, "socket handler failed");
              }
              ack?.(res);
            }
          })();
        },
      );
    };

    on("room:subscribe", async ({ roomId }) => {
      await d.rooms.requireMember(roomId, userId);
      await socket.join(roomChannel(roomId));
      return { room: await d.rooms.get(userId, roomId) };
    });

    on("room:unsubscribe", async ({ roomId }) => {
      await socket.leave(roomChannel(roomId));
      return {};
    });

    on("message:send", async (p) => {
      const r = await d.messages.send(userId, p, "socket", socket.id);
      return { id: r.message.id, seq: r.message.seq, duplicate: r.duplicate, message: r.message };
    });

    on("message:edit", async (p) => ({ message: await d.messages.edit(userId, p.roomId, p.seq, p.body) }));

    on("message:delete", async (p) => {
      await d.messages.delete(userId, p.roomId, p.seq);
      return {};
    });

    on("reaction:add", async (p) => ({
      reactions: await d.messages.react(userId, p.roomId, p.seq, p.emoji, true),
    }));
    on("reaction:remove", async (p) => ({
      reactions: await d.messages.react(userId, p.roomId, p.seq, p.emoji, false),
    }));

    on("read:mark", async (p) => d.readState.mark(userId, p.roomId, p.seq));

    on("typing", async ({ roomId }, s) => {
      // Only sockets subscribed to the room (which required membership) may signal typing.
      if (!s.rooms.has(roomChannel(roomId)))
        throw new AppError("CHAT_NOT_A_MEMBER", "subscribe to the room first");
      try {
        await d.typingLimiter.consume(`${userId}:${roomId}`);
      } catch (err) {
        if (err instanceof RateLimiterRes) throw new AppError("CHAT_RATE_LIMITED", "typing too often");
        throw err;
      }
      s.to(roomChannel(roomId)).emit("typing", { roomId, userId, username: s.data.user.username });
      return {};
    });

    on("sync", async (p) => {
      const page = await d.messages.sync(userId, p.roomId, p.afterSeq, p.limit);
      return { ...page };
    });

    on("presence:set", async ({ status }) => {
      const agg = await d.presence.set(userId, socket.id, status);
      io.to(presenceChannel(userId)).emit("presence", { userId, status: agg });
      return {};
    });

    on("room:focus", async ({ roomId }) => {
      if (roomId !== null) await d.rooms.requireMember(roomId, userId);
      await d.focus?.set(userId, socket.id, roomId);
      return {};
    });

    on("presence:subscribe", async ({ userIds }, s) => {
      for (const id of userIds) await s.join(presenceChannel(id));
      return { statuses: await d.presence.statuses(userIds) };
    });
  });

  return {
    async beginShutdown() {
      stopping = true;
      await d.presence.stop();
    },
  };
}
