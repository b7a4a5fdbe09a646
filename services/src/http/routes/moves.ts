// Admin API of online room moves (docs/room-moves.md). The operator's rebalance
// executor drives moves through these routes.
import { z } from "zod";
import type { MoveService } from "../../moves/service.js";
import { MOVE_STATES } from "../../moves/state.js";
import type { Api } from "../api.js";
import { idNumber, idString, limitString } from "../schemas.js";

export const MoveSchema = z.object({
  id: z.string(),
  roomId: z.number().int(),
  fromShard: z.number().int(),
  toShard: z.number().int(),
  state: z.enum(MOVE_STATES),
  epoch: z.number().int().nullable().describe("the room's directory epoch after the flip"),
  rowsCopied: z.number().int(),
  writePauseMillis: z.number().int().nullable().describe("how long the room's writes were fenced"),
  startTime: z.string(),
  finishTime: z.string().nullable(),
  reason: z.string().nullable().describe("why the move was requested, or why it failed"),
});

const moveParams = z.object({ moveId: idString });

export function moveRoutes(api: Api, moves: MoveService): void {
  api.add({
    method: "post",
    path: "/admin/moves",
    summary: "Start moving a room to another shard (online: writes pause only briefly)",
    tag: "admin",
    auth: "admin",
    body: z.object({
      roomId: idNumber,
      toShard: z.number().int().min(0).max(10_000),
      reason: z.string().max(500).optional(),
    }),
    response: { status: 202, description: "The move, started", schema: z.object({ move: MoveSchema }) },
    errors: ["CHAT_ROOM_NOT_FOUND", "CHAT_SHARD_NOT_FOUND", "CHAT_MOVE_CONFLICT", "CHAT_MOVE_INVALID"],
    handler: async ({ body }) => ({ move: await moves.create(body) }),
  });

  api.add({
    method: "post",
    path: "/admin/shards/:shardId/activate",
    summary: "Migrate a configured (spare) shard and mark it active: it takes new rooms and moves",
    tag: "admin",
    auth: "admin",
    params: z.object({
      shardId: z
        .string()
        .regex(/^(0|[1-9][0-9]{0,3})$/, "must be a shard id")
        .transform(Number),
    }),
    response: {
      status: 200,
      description: "The shard, active",
      schema: z.object({ shardId: z.number().int(), state: z.literal("active"), rooms: z.number().int() }),
    },
    errors: ["CHAT_SHARD_NOT_FOUND", "CHAT_SHARD_UNAVAILABLE"],
    handler: async ({ params }) => {
      const s = await moves.activateShard(params.shardId);
      return { shardId: s.shardId, state: "active" as const, rooms: s.rooms };
    },
  });

  api.add({
    method: "get",
    path: "/admin/moves",
    summary: "Room moves, newest first",
    tag: "admin",
    auth: "admin",
    query: z.object({ state: z.enum(["open", "all"]).default("all"), limit: limitString(1000, 100) }),
    response: { status: 200, description: "Moves", schema: z.object({ moves: z.array(MoveSchema) }) },
    handler: async ({ query }) => ({ moves: await moves.list(query.state === "open", query.limit) }),
  });

  api.add({
    method: "get",
    path: "/admin/moves/:moveId",
    summary: "One room move",
    tag: "admin",
    auth: "admin",
    params: moveParams,
    response: { status: 200, description: "The move", schema: z.object({ move: MoveSchema }) },
    errors: ["CHAT_MOVE_NOT_FOUND"],
    handler: async ({ params }) => ({ move: await moves.get(params.moveId) }),
  });

  api.add({
    method: "post",
    path: "/admin/moves/:moveId/abort",
    summary: "Abort a move before its flip (rolled back: the room stays on its shard)",
    tag: "admin",
    auth: "admin",
    params: moveParams,
    response: {
      status: 200,
      description: "The move after the abort",
      schema: z.object({ move: MoveSchema }),
    },
    errors: ["CHAT_MOVE_NOT_FOUND", "CHAT_MOVE_CONFLICT"],
    handler: async ({ params }) => ({ move: await moves.abort(params.moveId) }),
  });
}
