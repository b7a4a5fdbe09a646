import { describe, expect, it } from "vitest";
import { can, canKick } from "../../src/rooms/permissions.js";

describe("room permissions", () => {
  it("owner can do everything in group rooms", () => {
    for (const a of ["update", "delete", "invite", "kick", "set-role", "delete-any-message"] as const) {
      expect(can("owner", a, "private")).toBe(true);
    }
  });
  it("admins moderate but cannot delete the room or change roles", () => {
    expect(can("admin", "update", "private")).toBe(true);
    expect(can("admin", "kick", "private")).toBe(true);
    expect(can("admin", "delete", "private")).toBe(false);
    expect(can("admin", "set-role", "private")).toBe(false);
  });
  it("members invite only to public rooms", () => {
    expect(can("member", "invite", "public")).toBe(true);
    expect(can("member", "invite", "private")).toBe(false);
    expect(can("member", "update", "public")).toBe(false);
  });
  it("non-members and direct rooms get nothing", () => {
    expect(can(null, "invite", "public")).toBe(false);
    expect(can("owner", "invite", "direct")).toBe(false);
  });
  it("kicks go strictly down", () => {
    expect(canKick("admin", "member")).toBe(true);
    expect(canKick("admin", "admin")).toBe(false);
    expect(canKick("owner", "admin")).toBe(true);
    expect(canKick("member", "member")).toBe(false);
    expect(canKick("admin", "owner")).toBe(false);
  });
});
