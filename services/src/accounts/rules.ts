// Username and password rules, shared by the HTTP schemas and the service.
import { z } from "zod";

export const USERNAME_RE = /^[a-z0-9](?:[a-z0-9._-]{1,30})[a-z0-9]$/;

/**
 * Names that cannot be registered: `@room` (and the common `@here`, `@all`, `@channel`) are mention
 * keywords that notify the whole room, so a user by that name could never be mentioned alone.
 */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set(["room", "here", "all", "channel"]);

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(USERNAME_RE, "3-32 characters: a-z, 0-9, '.', '_', '-'; starting and ending with a letter or digit")
  .refine((u) => !RESERVED_USERNAMES.has(u), "is reserved (a mention keyword)");

export const displayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((s) => !/[\p{Cc}]/u.test(s), "must not contain control characters");

/** The password policy; returns a reason or null. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < 10) return "must be at least 10 characters";
  if (password.length > 128) return "must be at most 128 characters";
  if (new Set(password).size < 4) return "must use at least 4 different characters";
  if (password.toLowerCase().includes(username.toLowerCase())) return "must not contain the username";
  return null;
}

export const passwordSchema = z.string().min(1).max(128);
