import { z } from "zod";
import { MemberSchema, RoomPageSchema, RoomSchema } from "../../contracts/rest.js";
import { type Api, Reply } from "../api.js";
import type { HttpDeps } from "../deps.js";
import {
  idNumber,
  idString,
  limitString,
  roomNameSchema,
  roomParams,
  settingsSchema,
  topicSchema,
} from "../schemas.js";

const cursorQuery = z.object({ after: idString.optional(), limit: limitString(100, 50) });
const memberParams = z.object({ roomId: idString, userId: idString });

export function roomRoutes(api: Api, d: HttpDeps): void {
  api.add({
    method: "post",
    path: "/v1/rooms",
    summary: "Create a public or private room (you become its owner)",
    tag: "rooms",
    auth: "user",
    body: z.strictObject({
      kind: z.enum(["public", "private"]),
      name: roomNameSchema,
      topic: topicSchema.optional(),
      settings: settingsSchema.optional(),
    }),
    response: { status: 201, description: "The room", schema: RoomSchema },
    handler: ({ user, body }) => d.rooms.create(user.userId, body),
  });

  api.add({
    method: "post",
    path: "/v1/rooms/direct",
    summary: "Open (or get) the direct room with another user",
    tag: "rooms",
    auth: "user",
    body: z.strictObject({ userId: idNumber }),
    response: {
      status: 201,
      description: "The direct room, created",
      schema: RoomSchema,
      also: [{ status: 200, description: "The direct room, which already existed" }],
    },
    errors: ["CHAT_USER_NOT_FOUND"],
    handler: async ({ user, body }) => {
      const { room, created } = await d.rooms.openDirect(user.userId, body.userId);
      return new Reply(created ? 201 : 200, room);
    },
  });

  api.add({
    method: "get",
    path: "/v1/rooms",
    summary: "My rooms with unread counts, paged by room id",
    tag: "rooms",
    auth: "user",
    query: cursorQuery,
    response: {
      status: 200,
      description: "A page of rooms",
      schema: RoomPageSchema,
    },
    handler: ({ user, query }) => d.rooms.listMine(user.userId, query),
  });

  api.add({
    method: "get",
    path: "/v1/public-rooms",
    summary: "Public rooms anyone can join, paged by room id",
    tag: "rooms",
    auth: "user",
    query: cursorQuery,
    response: {
      status: 200,
      description: "A page of public rooms",
      schema: RoomPageSchema,
    },
    handler: ({ user, query }) => d.rooms.listPublic(user.userId, query),
  });

  api.add({
    method: "get",
    path: "/v1/rooms/:roomId",
    summary: "A room (public rooms are visible to everyone; others to members)",
    tag: "rooms",
    auth: "user",
    params: roomParams,
    response: { status: 200, description: "The room", schema: RoomSchema },
    errors: ["CHAT_ROOM_NOT_FOUND"],
    handler: ({ user, params }) => d.rooms.get(user.userId, params.roomId),
  });

  api.add({
    method: "patch",
    path: "/v1/rooms/:roomId",
    summary: "Update name, topic or settings (owner/admin)",
    tag: "rooms",
    auth: "user",
    params: roomParams,
    body: z.strictObject({
      name: roomNameSchema.optional(),
      topic: topicSchema.optional(),
      settings: settingsSchema.optional(),
    }),
    response: { status: 200, description: "The updated room", schema: RoomSchema },
    errors: ["CHAT_ROOM_NOT_FOUND", "CHAT_NOT_A_MEMBER", "CHAT_FORBIDDEN", "CHAT_ROOM_UNAVAILABLE"],
    handler: ({ user, params, body }) => d.rooms.update(user.userId, params.roomId, body),
  });

  api.add({
    method: "delete",
    path: "/v1/rooms/:roomId",
    summary: "Delete a room (owner)",
    tag: "rooms",
    auth: "user",
    params: roomParams,
    response: { status: 204, description: "Deleted" },
    errors: ["CHAT_ROOM_NOT_FOUND", "CHAT_NOT_A_MEMBER", "CHAT_FORBIDDEN", "CHAT_ROOM_NOT_JOINABLE"],
    handler: async ({ user, params }) => {
      await d.rooms.delete(user.userId, params.roomId);
      return undefined;
    },
  });

  api.add({
    method: "post",
    path: "/v1/rooms/:roomId/join",
    summary: "Join a public room",
    tag: "members",
    auth: "user",
    params: roomParams,
    response: { status: 200, description: "The room", schema: RoomSchema },
    errors: ["CHAT_ROOM_NOT_FOUND", "CHAT_ROOM_FULL", "CHAT_ROOM_UNAVAILABLE"],
    handler: ({ user, params }) => d.rooms.join(user.userId, params.roomId),
  });

  api.add({
    method: "post",
    path: "/v1/rooms/:roomId/leave",
    summary: "Leave a room",
    tag: "members",
    auth: "user",
    params: roomParams,
    response: { status: 204, description: "Left" },
    errors: ["CHAT_ROOM_NOT_FOUND", "CHAT_NOT_A_MEMBER", "CHAT_OWNER_CANNOT_LEAVE", "CHAT_ROOM_NOT_JOINABLE"],
    handler: async ({ user, params }) => {
      await d.rooms.leave(user.userId, params.roomId);
      return undefined;
    },
  });

  api.add({
    method: "get",
    path: "/v1/rooms/:roomId/members",
    summary: "Members of a room, paged by user id",
    tag: "members",
    auth: "user",
    params: roomParams,
    query: cursorQuery,
    response: {
      status: 200,
      description: "A page of members",
      schema: z.object({ members: z.array(MemberSchema), nextCursor: z.number().int().nullable() }),
    },
    errors: ["CHAT_ROOM_NOT_FOUND", "CHAT_NOT_A_MEMBER"],
    handler: ({ user, params, query }) => d.rooms.listMembers(user.userId, params.roomId, query),
  });

  api.add({
    method: "post",
    path: "/v1/rooms/:roomId/members",
    summary: "Invite a user (private rooms: owner/admin; public rooms: any member)",
    tag: "members",
    auth: "user",
    params: roomParams,
    body: z.strictObject({ userId: idNumber }),
    response: { status: 201, description: "The member", schema: MemberSchema },
    errors: [
      "CHAT_ROOM_NOT_FOUND",
      "CHAT_NOT_A_MEMBER",
      "CHAT_FORBIDDEN",
      "CHAT_USER_NOT_FOUND",
      "CHAT_ROOM_FULL",
    ],
    handler: ({ user, params, body }) => d.rooms.invite(user.userId, params.roomId, body.userId),
  });

  api.add({
    method: "patch",
    path: "/v1/rooms/:roomId/members/:userId",
    summary: "Change a member's role (owner); role owner transfers ownership",
    tag: "members",
    auth: "user",
    params: memberParams,
    body: z.strictObject({ role: z.enum(["owner", "admin", "member"]) }),
    response: { status: 200, description: "The member", schema: MemberSchema },
    errors: ["CHAT_ROOM_NOT_FOUND", "CHAT_NOT_A_MEMBER", "CHAT_FORBIDDEN", "CHAT_USER_NOT_FOUND"],
    handler: ({ user, params, body }) =>
      d.rooms.setRole(user.userId, params.roomId, params.userId, body.role),
  });

  api.add({
    method: "delete",
    path: "/v1/rooms/:roomId/members/:userId",
    summary: "Remove a member (owner/admin, strictly lower role)",
    tag: "members",
    auth: "user",
    params: memberParams,
    response: { status: 204, description: "Removed" },
    errors: ["CHAT_ROOM_NOT_FOUND", "CHAT_NOT_A_MEMBER", "CHAT_FORBIDDEN", "CHAT_USER_NOT_FOUND"],
    handler: async ({ user, params }) => {
      await d.rooms.kick(user.userId, params.roomId, params.userId);
      return undefined;
    },
  });
}
