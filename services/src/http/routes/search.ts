// REST route of message search (served by the gateway when the event pipeline's query
// services are present; the index is written by the worker's search consumer).
import { z } from "zod";
import { SearchHitSchema } from "../../contracts/rest.js";
import type { SearchService } from "../../search/service.js";
import type { Api } from "../api.js";
import { idString, limitString, ROOM_ERRORS } from "../schemas.js";

export function searchRoutes(api: Api, search: SearchService): void {
  api.add({
    method: "get",
    path: "/v1/search",
    summary:
      "Search messages in your rooms (substring, also for Korean/CJK; whole words for 1 character), newest first",
    tag: "search",
    auth: "user",
    query: z.object({
      q: z.string().min(1).max(200),
      roomId: idString.optional(),
      cursor: z.string().min(1).max(200).optional(),
      limit: limitString(50, 20),
    }),
    response: {
      status: 200,
      description: "A page of hits",
      schema: z.object({ results: z.array(SearchHitSchema), nextCursor: z.string().nullable() }),
    },
    errors: [...ROOM_ERRORS],
    handler: ({ user, query }) => search.search(user.userId, query),
  });
}
