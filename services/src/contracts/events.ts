// The v1 event contract of the pipeline. Every outbox row leaves a shard as one
// envelope (JSON) on the events topic, keyed by room id so one room's events stay in
// one partition, in the order the shard committed them. The `data` schemas below are
// the source of docs/events/*.schema.json (regenerate: `npx tsx services/scripts/gen-event-schemas.ts`;
// a unit test fails when the files drift).
import { z } from "zod";

export const EVENT_VERSION = 1 as const;

const id = z.number().int().positive();
const seq = z.number().int().min(0);
const iso = z.string().min(1).describe("ISO-8601 timestamp, UTC");
const role = z.enum(["owner", "admin", "member"]);

export const MessageData = z.object({
  id: z.string().describe('"<roomId>:<seq>"'),
  roomId: id,
  seq: seq.min(1),
  senderId: id,
  body: z.string(),
  parentSeq: seq.nullable(),
  mentions: z.array(z.object({ userId: id, username: z.string() })),
  clientMsgId: z.string().nullable(),
  createdAt: iso,
  editedAt: iso.nullable(),
  deletedAt: iso.nullable(),
  reactions: z.array(z.object({ emoji: z.string(), count: z.number().int() })),
});

export const eventDataSchemas = {
  "message.created": MessageData,
  "message.edited": MessageData,
  "message.deleted": z.object({ roomId: id, seq: seq.min(1), by: id, deletedAt: iso }),
  "reaction.added": z.object({ roomId: id, seq: seq.min(1), emoji: z.string(), userId: id }),
  "reaction.removed": z.object({ roomId: id, seq: seq.min(1), emoji: z.string(), userId: id }),
  "room.created": z.object({ roomId: id, kind: z.enum(["public", "private", "direct"]), createdBy: id }),
  "room.updated": z.object({
    roomId: id,
    name: z.string().optional(),
    topic: z.string().optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    by: id,
  }),
  "room.deleted": z.object({ roomId: id, by: id }),
  "member.joined": z.object({ roomId: id, userId: id, role }),
  "member.left": z.object({ roomId: id, userId: id, reason: z.enum(["left", "kicked"]), by: id }),
  "member.role": z.object({ roomId: id, userId: id, role, by: id }),
  "read.marker": z.object({ roomId: id, userId: id, lastReadSeq: seq }),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const EVENT_TYPES = Object.keys(eventDataSchemas) as EventType[];
export type EventData<T extends EventType> = z.output<(typeof eventDataSchemas)[T]>;

/** The envelope every event travels in. */
export const EnvelopeSchema = z.object({
  v: z.literal(EVENT_VERSION),
  id: z.string().min(1).max(64).describe('Unique and stable across re-publication: "<shardId>:<outboxId>"'),
  type: z.string().min(1).max(32),
  roomId: id,
  shard: z.number().int().min(0),
  outboxId: id,
  occurredAt: iso.describe("When the change committed (the outbox row's created_at)"),
  data: z.unknown(),
});
export type Envelope = z.output<typeof EnvelopeSchema>;

/** A typed, validated event. */
export type ChatEvent = {
  [T in EventType]: Omit<Envelope, "type" | "data"> & { type: T; data: EventData<T> };
}[EventType];

/** Thrown for an event that can never be processed (bad JSON, wrong schema): it goes to the DLQ at once. */
export class PoisonEventError extends Error {
  override readonly name = "PoisonEventError";
}

export const isKnownType = (t: string): t is EventType => Object.hasOwn(eventDataSchemas, t);

/**
 * Parses and validates one raw event. Unknown types parse (data unchecked) so newer
 * producers do not poison older consumers; consumers ignore types they do not handle.
 */
export function parseEvent(raw: string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new PoisonEventError("event is not valid JSON");
  }
  const env = EnvelopeSchema.safeParse(json);
  if (!env.success) throw new PoisonEventError(`bad envelope: ${describeIssues(env.error)}`);
  if (isKnownType(env.data.type)) {
    const data = eventDataSchemas[env.data.type].safeParse(env.data.data);
    if (!data.success) throw new PoisonEventError(`bad ${env.data.type} data: ${describeIssues(data.error)}`);
    return { ...env.data, data: data.data };
  }
  return env.data;
}

export function asChatEvent(e: Envelope): ChatEvent | null {
  return isKnownType(e.type) ? (e as ChatEvent) : null;
}

function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}

export const eventId = (shardId: number, outboxId: number): string => `${shardId}:${outboxId}`;

/** JSON Schema (2020-12) of the envelope and each event type, for docs/events/. */
export function eventJsonSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const envelope = z.toJSONSchema(EnvelopeSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  out["envelope.v1"] = {
    ...envelope,
    $id: "https://chatcluster.dev/events/v1/envelope.schema.json",
    title: "ChatCluster event envelope v1",
  };
  for (const t of EVENT_TYPES) {
    const data = z.toJSONSchema(eventDataSchemas[t], { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >;
    const { $schema, ...dataRest } = data;
    out[`${t}.v1`] = {
      $schema,
      $id: `https://chatcluster.dev/events/v1/${t}.schema.json`,
      title: `${t} (v1)`,
      description: `The envelope of a ${t} event; "data" carries the change.`,
      type: "object",
      required: ["v", "id", "type", "roomId", "shard", "outboxId", "occurredAt", "data"],
      properties: {
        ...((envelope.properties as Record<string, unknown>) ?? {}),
        type: { const: t },
        data: dataRest,
      },
    };
  }
  return out;
}
