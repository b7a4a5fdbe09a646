// Search queries. The caller's rooms come from the catalog's user→rooms index, and
// every shard query joins the shard's room_members (the truth), so a room the caller
// left or was kicked from never shows, even while the index row is stale. Results
// are newest first across all the caller's rooms, paged by an opaque cursor
// (created_at, room id, seq of the last hit).
import type { Pool, RowDataPacket } from "../db/pool.js";
import { AppError } from "../errors.js";
import type { PipelineMetrics } from "../pipeline/metrics.js";
import type { RoomService } from "../rooms/service.js";
import type { RoomRouter } from "../sharding/router.js";
import { fragment, matches, type ParsedQuery, parseQuery } from "./ngram.js";

export interface SearchHit {
  id: string;
  roomId: number;
  seq: number;
  senderId: number;
  createdAt: string;
  editedAt: string | null;
  fragment: string;
  highlights: { start: number; length: number }[];
}

export interface SearchPage {
  results: SearchHit[];
  nextCursor: string | null;
}

interface Key {
  t: number;
  r: number;
  s: number;
}

export const SEARCH_MAX_LIMIT = 50;
const MAX_ROUNDS = 8;

export function encodeCursor(k: Key): string {
  return Buffer.from(JSON.stringify([k.t, k.r, k.s])).toString("base64url");
}

export function decodeCursor(c: string): Key {
  try {
    const v = JSON.parse(Buffer.from(c, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 3 && v.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      return { t: v[0] as number, r: v[1] as number, s: v[2] as number };
    }
  } catch {
    // fall through
  }
  throw new AppError("CHAT_VALIDATION_FAILED", "cursor is not valid");
}

const newerFirst = (a: Key, b: Key): number => b.t - a.t || b.r - a.r || b.s - a.s;

interface Row extends Key {
  hit: SearchHit;
}

export class SearchService {
  constructor(
    private readonly router: RoomRouter,
    private readonly catalog: Pool,
    private readonly rooms: RoomService,
    private readonly metrics: PipelineMetrics,
  ) {}

  async search(
    userId: number,
    input: { q: string; roomId?: number | undefined; cursor?: string | undefined; limit: number },
  ): Promise<SearchPage> {
    const end = this.metrics.searchDuration.startTimer();
    try {
      const query = parseQuery(input.q);
      if (!query) throw new AppError("CHAT_VALIDATION_FAILED", "q must contain at least one letter or digit");
      const limit = Math.min(Math.max(input.limit, 1), SEARCH_MAX_LIMIT);
      const after = input.cursor ? decodeCursor(input.cursor) : null;

      const byShard = new Map<number, number[]>();
      if (input.roomId !== undefined) {
        // 403/404 exactly like reading the room's history.
        const ctx = await this.rooms.requireMember(input.roomId, userId);
        byShard.set(ctx.shardId, [input.roomId]);
      } else {
        const [idx] = await this.catalog.query<RowDataPacket[]>(
          "SELECT room_id FROM user_rooms WHERE user_id = ?",
          [userId],
        );
        const ids = idx.map((r) => Number(r.room_id));
        const routes = await this.router.directory.lookupMany(ids);
        for (const id of ids) {
          const route = routes.get(id);
          if (!route || route.state === "deleted" || route.state === "creating") continue;
          byShard.set(route.shardId, [...(byShard.get(route.shardId) ?? []), id]);
        }
      }
      const perShard = await Promise.all(
        [...byShard].map(([shardId, roomIds]) =>
          this.#searchShard(this.router.shards.pool(shardId), userId, roomIds, query, after, limit + 1),
        ),
      );
      const all = perShard.flat().sort(newerFirst);
      const page = all.slice(0, limit);
      const last = page.at(-1);
      return {
        results: page.map((r) => r.hit),
        nextCursor: all.length > limit && last ? encodeCursor(last) : null,
      };
    } finally {
      end();
    }
  }

  /** Up to `want` verified hits on one shard, newest first, after the cursor. */
  async #searchShard(
    pool: Pool,
    userId: number,
    roomIds: number[],
    q: ParsedQuery,
    after: Key | null,
    want: number,
  ): Promise<Row[]> {
    const out: Row[] = [];
    let cursor = after;
    const fetch = Math.max(want * 2, 20);
    for (let round = 0; round < MAX_ROUNDS && out.length < want; round++) {
      const where = cursor
        ? "WHERE (d.created_at < ? OR (d.created_at = ? AND (d.room_id < ? OR (d.room_id = ? AND d.seq < ?))))"
        : "";
      const cursorArgs = cursor ? [new Date(cursor.t), new Date(cursor.t), cursor.r, cursor.r, cursor.s] : [];
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT d.room_id, d.seq, d.sender_id, d.body, d.created_at, d.edited_at
           FROM (SELECT p.room_id, p.seq FROM search_postings p
                  WHERE p.term IN (?) AND p.room_id IN (?)
                  GROUP BY p.room_id, p.seq HAVING COUNT(*) = ?) hit
           JOIN search_docs d ON d.room_id = hit.room_id AND d.seq = hit.seq
           JOIN room_members m ON m.room_id = d.room_id AND m.user_id = ?
           JOIN rooms r ON r.id = d.room_id AND r.deleted_at IS NULL
           ${where}
          ORDER BY d.created_at DESC, d.room_id DESC, d.seq DESC
          LIMIT ?`,
        [q.terms, roomIds, q.terms.length, userId, ...cursorArgs, fetch],
      );
      for (const r of rows) {
        const created = r.created_at as Date;
        const key = { t: created.getTime(), r: Number(r.room_id), s: Number(r.seq) };
        cursor = key;
        const body = String(r.body);
        if (!matches(body, q)) continue;
        const f = fragment(body, q);
        out.push({
          ...key,
          hit: {
            id: `${key.r}:${key.s}`,
            roomId: key.r,
            seq: key.s,
            senderId: Number(r.sender_id),
            createdAt: created.toISOString(),
            editedAt: r.edited_at ? (r.edited_at as Date).toISOString() : null,
            fragment: f.text,
            highlights: f.highlights,
          },
        });
        if (out.length >= want) break;
      }
      if (rows.length < fetch) break;
    }
    return out;
  }
}
