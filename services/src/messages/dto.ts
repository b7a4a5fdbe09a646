import type { Mention, MessageDto, ReactionCount } from "../contracts/protocol.js";
import type { Queryable, RowDataPacket } from "../db/pool.js";

export const MESSAGE_COLUMNS =
  "room_id, seq, sender_id, body, parent_seq, mentions, client_msg_id, created_at, edited_at, deleted_at";

export const messageId = (roomId: number, seq: number): string => `${roomId}:${seq}`;

function parseMentionsColumn(raw: unknown): Mention[] {
  try {
    const v = JSON.parse(String(raw)) as unknown;
    return Array.isArray(v) ? (v as Mention[]) : [];
  } catch {
    return [];
  }
}

export function mapMessage(r: RowDataPacket, reactions: ReactionCount[] = []): MessageDto {
  const roomId = Number(r.room_id);
  const seq = Number(r.seq);
  return {
    id: messageId(roomId, seq),
    roomId,
    seq,
    senderId: Number(r.sender_id),
    body: String(r.body),
    parentSeq: r.parent_seq === null ? null : Number(r.parent_seq),
    mentions: parseMentionsColumn(r.mentions),
    clientMsgId: r.client_msg_id === null ? null : String(r.client_msg_id),
    createdAt: (r.created_at as Date).toISOString(),
    editedAt: r.edited_at ? (r.edited_at as Date).toISOString() : null,
    deletedAt: r.deleted_at ? (r.deleted_at as Date).toISOString() : null,
    reactions,
  };
}

/** Reaction counts for a set of messages of one room, keyed by seq. */
export async function loadReactions(
  q: Pick<Queryable, "query">,
  roomId: number,
  seqs: readonly number[],
): Promise<Map<number, ReactionCount[]>> {
  const out = new Map<number, ReactionCount[]>();
  if (seqs.length === 0) return out;
  const [rows] = await q.query<RowDataPacket[]>(
    `SELECT seq, emoji, COUNT(*) AS n FROM reactions WHERE room_id = ? AND seq IN (?)
      GROUP BY seq, emoji ORDER BY seq, MIN(created_at), emoji`,
    [roomId, seqs],
  );
  for (const r of rows) {
    const seq = Number(r.seq);
    const list = out.get(seq) ?? [];
    list.push({ emoji: String(r.emoji), count: Number(r.n) });
    out.set(seq, list);
  }
  return out;
}

export async function loadMessages(
  q: Pick<Queryable, "query">,
  roomId: number,
  where: string,
  args: unknown[],
  order: "ASC" | "DESC",
  limit: number,
): Promise<MessageDto[]> {
  const [rows] = await q.query<RowDataPacket[]>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? ${where} ORDER BY seq ${order} LIMIT ?`,
    [roomId, ...args, limit],
  );
  const reactions = await loadReactions(
    q,
    roomId,
    rows.map((r) => Number(r.seq)),
  );
  return rows.map((r) => mapMessage(r, reactions.get(Number(r.seq)) ?? []));
}

export async function loadMessage(
  q: Pick<Queryable, "query">,
  roomId: number,
  seq: number,
): Promise<MessageDto | null> {
  const list = await loadMessages(q, roomId, "AND seq = ?", [seq], "ASC", 1);
  return list[0] ?? null;
}
