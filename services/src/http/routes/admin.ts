import { z } from "zod";
import { AppError } from "../../errors.js";
import type { Api } from "../api.js";
import type { HttpDeps } from "../deps.js";
import { idString, limitString } from "../schemas.js";

const RoomHeatSchema = z.object({
  roomId: z.number().int(),
  rate: z.number().describe("messages per second (exponentially decayed; never below the true rate)"),
  share: z.number().describe("part of the shard's rate, 0..1"),
  rateError: z.number().describe("most by which rate may over-estimate"),
});

export function adminRoutes(api: Api, d: HttpDeps): void {
  api.add({
    method: "get",
    path: "/admin/heat",
    summary: "Per-shard write rates and hottest rooms, summed over every live instance",
    tag: "admin",
    auth: "admin",
    query: z.object({ limit: limitString(64, 10) }),
    response: {
      status: 200,
      description: "Decayed write rates (msgs/s) per shard with its top rooms, hottest first",
      schema: z.object({
        halfLifeSeconds: z.number(),
        instances: z.number().int().describe("live instances whose heat is summed"),
        shards: z.array(
          z.object({
            shardId: z.number().int(),
            rate: z.number(),
            trackedRooms: z.number().int(),
            rooms: z.array(RoomHeatSchema),
          }),
        ),
      }),
    },
    errors: ["CHAT_BACKEND_UNAVAILABLE"],
    handler: async ({ query }) => ({
      halfLifeSeconds: (d.heat?.halfLifeMs ?? 60_000) / 1000,
      ...(d.heat ? await d.heat.view(query.limit) : { instances: 0, shards: [] }),
    }),
  });

  api.add({
    method: "get",
    path: "/admin/shards",
    summary: "Shards with their state and room counts",
    tag: "admin",
    auth: "admin",
    response: {
      status: 200,
      description: "Shards",
      schema: z.object({
        shards: z.array(z.object({ shardId: z.number().int(), state: z.string(), rooms: z.number().int() })),
      }),
    },
    handler: async () => ({ shards: await d.directory.shardLoads() }),
  });

  api.add({
    method: "get",
    path: "/admin/rooms/:roomId",
    summary: "Directory entry of a room (shard, epoch, state)",
    tag: "admin",
    auth: "admin",
    params: z.object({ roomId: idString }),
    response: {
      status: 200,
      description: "The directory entry",
      schema: z.object({
        roomId: z.number().int(),
        shardId: z.number().int(),
        epoch: z.number().int(),
        state: z.string(),
      }),
    },
    errors: ["CHAT_ROOM_NOT_FOUND"],
    handler: async ({ params }) => {
      const route = await d.directory.lookup(params.roomId, { fresh: true });
      if (!route) throw new AppError("CHAT_ROOM_NOT_FOUND");
      return route;
    },
  });
}
