// Validation of every client→server socket payload (the server never trusts the types).
import { z } from "zod";
import { clientMsgIdSchema, emojiSchema, idNumber, seqNumber } from "../contracts/inputs.js";
import type { ClientToServerEvents } from "../contracts/protocol.js";

const room = z.strictObject({ roomId: idNumber });
const msg = z.strictObject({ roomId: idNumber, seq: seqNumber.min(1) });
const reaction = z.strictObject({ roomId: idNumber, seq: seqNumber.min(1), emoji: emojiSchema });

export const clientEventSchemas = {
  "room:subscribe": room,
  "room:unsubscribe": room,
  "message:send": z.strictObject({
    roomId: idNumber,
    body: z.string().max(65_000),
    clientMsgId: clientMsgIdSchema.optional(),
    parentSeq: seqNumber.min(1).optional(),
  }),
  "message:edit": z.strictObject({ roomId: idNumber, seq: seqNumber.min(1), body: z.string().max(65_000) }),
  "message:delete": msg,
  "reaction:add": reaction,
  "reaction:remove": reaction,
  "read:mark": z.strictObject({ roomId: idNumber, seq: seqNumber }),
  typing: room,
  sync: z.strictObject({
    roomId: idNumber,
    afterSeq: seqNumber,
    limit: z.number().int().min(1).max(200).optional(),
  }),
  "presence:set": z.strictObject({ status: z.enum(["online", "away"]) }),
  "presence:subscribe": z.strictObject({ userIds: z.array(idNumber).min(1).max(200) }),
  "room:focus": z.strictObject({ roomId: idNumber.nullable() }),
} as const satisfies Record<keyof ClientToServerEvents, z.ZodType>;
