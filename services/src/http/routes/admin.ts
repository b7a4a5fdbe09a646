import { z } from "zod";
import { AppError } from "../../errors.js";
import type { Api } from "../api.js";
import type { HttpDeps } from "../deps.js";
import { idString } from "../schemas.js";

export function adminRoutes(api: Api, d: HttpDeps): void {
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
