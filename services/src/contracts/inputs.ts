// Input values that REST bodies and socket payloads share (ids, clientMsgIds, emoji,
// message bodies): one definition, so the two transports accept exactly the same values.
// Imports nothing of the app.
import { z } from "zod";

export const idNumber = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const seqNumber = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const clientMsgIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");

export const emojiSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((s) => !/[\s\p{Cc}]/u.test(s), "must not contain spaces or control characters");

/**
 * A message body as the server accepts it: not blank, at most `maxLength` characters counted as code points
 * (Korean or emoji count one each). The document states the same (JSON Schema counts code points too).
 */
export const messageBodySchema = (maxLength: number) =>
  z
    .string()
    // A code point is at most two UTF-16 units: a cheap bound before counting.
    .max(maxLength * 2, `must be at most ${maxLength} characters`)
    .refine((v) => v.trim().length > 0, "must not be blank")
    .refine((v) => [...v].length <= maxLength, `must be at most ${maxLength} characters`)
    .meta({ maxLength, pattern: "\\S" });
