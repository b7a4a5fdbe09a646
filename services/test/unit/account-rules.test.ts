import { describe, expect, it } from "vitest";
import { RESERVED_USERNAMES, usernameSchema } from "../../src/accounts/rules.js";

describe("usernameSchema (registration)", () => {
  it("accepts ordinary names, lowercased", () => {
    expect(usernameSchema.parse(" Alice ")).toBe("alice");
    expect(usernameSchema.parse("rooms")).toBe("rooms");
    expect(usernameSchema.parse("room.service")).toBe("room.service");
  });

  it("reserves the mention keywords @room, @here, @all and @channel, in any case", () => {
    expect([...RESERVED_USERNAMES].sort()).toEqual(["all", "channel", "here", "room"]);
    for (const name of ["room", "ROOM", " Room ", "here", "all", "channel"]) {
      const r = usernameSchema.safeParse(name);
      expect(r.success, name).toBe(false);
      expect(r.error?.issues[0]?.message).toBe("is reserved (a mention keyword)");
    }
  });
});
