// Text → index terms, for Korean and other unsegmented scripts as well as spaced ones.
//
// Text is normalized (NFKC, lower case) and split into tokens: runs of letters,
// digits and marks. A token yields its bigrams ("2:안녕"), its trigrams ("3:안녕하")
// and itself as a whole word ("w:안녕하세요"). A query token of 3+ characters is
// looked up by its trigrams, one of 2 characters by its bigram, one of 1 character as
// a whole word; candidates are then verified against the stored text, so a hit is
// always a real substring (trigrams alone could match "abcXbcd" for "abcd").
// Pure functions only: unit tested without a database.

export const MAX_WORD_TERM = 64;
export const MAX_QUERY_TOKENS = 8;

export const normalize = (s: string): string => s.normalize("NFKC").toLowerCase();

const TOKEN_RE = /[\p{L}\p{N}\p{M}_]+/gu;

export function tokenize(text: string): string[] {
  return normalize(text).match(TOKEN_RE) ?? [];
}

function grams(chars: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(""));
  return out;
}

/** Every term a document is indexed under (deduplicated). */
export function indexTerms(text: string): string[] {
  const out = new Set<string>();
  for (const tok of tokenize(text)) {
    const chars = Array.from(tok);
    if (chars.length <= MAX_WORD_TERM) out.add(`w:${tok}`);
    for (const g of grams(chars, 2)) out.add(`2:${g}`);
    for (const g of grams(chars, 3)) out.add(`3:${g}`);
  }
  return [...out];
}

export interface ParsedQuery {
  tokens: string[];
  /** Every one of these terms must be present (AND). */
  terms: string[];
}

/** Parses a query; null when it has no searchable token. */
export function parseQuery(q: string): ParsedQuery | null {
  const tokens = [...new Set(tokenize(q))].slice(0, MAX_QUERY_TOKENS);
  if (tokens.length === 0) return null;
  const terms = new Set<string>();
  for (const tok of tokens) {
    const chars = Array.from(tok);
    if (chars.length === 1) terms.add(`w:${tok}`);
    else if (chars.length === 2) terms.add(`2:${tok}`);
    else for (const g of grams(chars, 3)) terms.add(`3:${g}`);
  }
  return { tokens, terms: [...terms] };
}

/** Whether a document's text really contains every query token (single characters as whole words). */
export function matches(text: string, q: ParsedQuery): boolean {
  const norm = normalize(text);
  let words: Set<string> | null = null;
  for (const tok of q.tokens) {
    if (Array.from(tok).length === 1) {
      words ??= new Set(tokenize(text));
      if (!words.has(tok)) return false;
    } else if (!norm.includes(tok)) return false;
  }
  return true;
}

export interface Fragment {
  text: string;
  /** Matched ranges inside text (UTF-16 offsets, as JavaScript strings index). */
  highlights: { start: number; length: number }[];
}

/** A window of the text around the first match, with every match inside it marked. */
export function fragment(text: string, q: ParsedQuery, radius = 40): Fragment {
  const display = text.normalize("NFKC");
  const low = display.toLowerCase();
  // Lower-casing changes the length of a few characters; positions then are unreliable.
  const aligned = low.length === display.length;
  let first = -1;
  if (aligned) {
    for (const tok of q.tokens) {
      const i = low.indexOf(tok);
      if (i >= 0 && (first < 0 || i < first)) first = i;
    }
  }
  const from = first < 0 ? 0 : Math.max(0, first - radius);
  const to = first < 0 ? Math.min(display.length, radius * 2) : Math.min(display.length, first + radius * 2);
  const start = safeBoundary(display, from);
  const end = safeBoundary(display, to);
  const prefix = start > 0 ? "…" : "";
  const suffix = end < display.length ? "…" : "";
  const body = display.slice(start, end);
  const highlights: Fragment["highlights"] = [];
  if (aligned) {
    const lowBody = low.slice(start, end);
    for (const tok of q.tokens) {
      for (let i = lowBody.indexOf(tok); i >= 0; i = lowBody.indexOf(tok, i + tok.length)) {
        highlights.push({ start: prefix.length + i, length: tok.length });
      }
    }
    highlights.sort((a, b) => a.start - b.start);
  }
  return { text: prefix + body + suffix, highlights };
}

/** Moves an offset off the low half of a surrogate pair. */
function safeBoundary(s: string, i: number): number {
  if (i <= 0 || i >= s.length) return Math.max(0, Math.min(i, s.length));
  const c = s.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff ? i - 1 : i;
}
