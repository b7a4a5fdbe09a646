import { describe, expect, it } from "vitest";
import { advance, emptyTimeline, holes, liveAction, merge } from "../../src/chat/timeline.js";
import type { MessageDto } from "../../src/contracts.js";

const msg = (seq: number, over: Partial<MessageDto> = {}): MessageDto => ({
  id: `1:${seq}`,
  roomId: 1,
  seq,
  senderId: 1,
  body: `m${seq}`,
  parentSeq: null,
  mentions: [],
  clientMsgId: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  editedAt: null,
  deletedAt: null,
  reactions: [],
  ...over,
});

describe("timeline", () => {
  it("stores a message that arrives twice once, keeping the newer edit", () => {
    let t = merge(emptyTimeline(), [msg(1), msg(2)]);
    t = merge(t, [msg(2, { body: "edited", editedAt: "2026-01-01T00:01:00.000Z" }), msg(2)]);
    expect(t.seqs).toEqual([1, 2]);
    expect(t.bySeq.get(2)?.body).toBe("edited");
  });

  it("appends the next seq and asks for a sync on a gap", () => {
    const t = advance(merge({ ...emptyTimeline(), attached: true, synced: 0 }, [msg(1), msg(2)]));
    expect(t.synced).toBe(2);
    expect(liveAction(t, 3)).toBe("append");
    expect(liveAction(t, 2)).toBe("append");
    expect(liveAction(t, 5)).toBe("gap");
    expect(liveAction({ ...t, attached: false }, 3)).toBe("ignore");
  });

  it("reports holes inside the window", () => {
    const t = merge(emptyTimeline(), [msg(1), msg(2), msg(5)]);
    expect(holes(t)).toEqual([3, 4]);
    expect(advance({ ...t, synced: 0 }).synced).toBe(2);
  });
});
