// @mentions: "@alice" anywhere not preceded by a word character (so e-mail
// addresses do not count). Usernames follow the account rules; at most 50 per message.
const MENTION_RE = /(?<![\p{L}\p{N}_.@-])@([a-z0-9](?:[a-z0-9._-]{1,30})[a-z0-9])(?![a-z0-9_-])/giu;

export const MAX_MENTIONS = 50;

export function parseMentions(body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(MENTION_RE)) {
    // A trailing dot is punctuation ("thanks @bob."), not part of the name.
    const name = (m[1] ?? "").toLowerCase().replace(/\.+$/, "");
    if (name.length >= 3) out.add(name);
    if (out.size >= MAX_MENTIONS) break;
  }
  return [...out];
}
