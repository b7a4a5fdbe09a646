// Shared request and response schemas. Request schemas validate; response schemas
// exist for the OpenAPI document.
import { z } from "zod";
import {
  clientMsgIdSchema,
  emojiSchema,
  idNumber,
  messageBodySchema,
  seqNumber,
} from "../contracts/inputs.js";

export { clientMsgIdSchema, emojiSchema, idNumber, messageBodySchema, seqNumber };

/** A positive integer id in a path or query string; rejects "1.5", "0x10", "1e3" and leading zeros. */
export const idString = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, "must be a positive integer id")
  .transform(Number)
  .refine(Number.isSafeInteger, "out of range");

export const seqString = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,15})$/, "must be a non-negative integer")
  .transform(Number)
  .refine(Number.isSafeInteger, "out of range");

export const limitString = (max: number, def: number) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,3}$/, `must be an integer between 1 and ${max}`)
    .transform(Number)
    .refine((n) => n <= max, `must be at most ${max}`)
    .optional()
    .transform((n) => n ?? def);

/** What any room-scoped route may answer besides its own errors. */
export const ROOM_ERRORS = ["CHAT_ROOM_NOT_FOUND", "CHAT_NOT_A_MEMBER", "CHAT_ROOM_UNAVAILABLE"] as const;

export const roomParams = z.object({ roomId: idString });
export const messageParams = z.object({ roomId: idString, seq: seqString });

export const roomNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((s) => !/[\p{Cc}]/u.test(s), "must not contain control characters");
export const topicSchema = z.string().max(500);
export const settingsSchema = z
  .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .refine((o) => Object.keys(o).length <= 32, "at most 32 settings");
