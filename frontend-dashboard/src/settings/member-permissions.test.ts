import { describe, expect, it } from "vitest";
import { memberPermissions } from "./member-permissions";

const me = "00000000-0000-4000-8000-000000000001";
const other = "00000000-0000-4000-8000-000000000002";

describe("memberPermissions", () => {
  it("lets viewers and editors only leave, saying why the rest is disabled", () => {
    const p = memberPermissions("editor", { userId: other, role: "viewer" }, me, 1);
    expect(p).toMatchObject({
      changeRole: false,
      remove: false,
      reason: "Only admins and owners manage members",
    });
    expect(memberPermissions("viewer", { userId: me, role: "viewer" }, me, 1).remove).toBe(true);
  });

  it("keeps ownership in owners' hands", () => {
    const admin = memberPermissions("admin", { userId: other, role: "owner" }, me, 2);
    expect(admin).toMatchObject({
      changeRole: false,
      remove: false,
      reason: "Only owners change or remove an owner",
    });
    expect(memberPermissions("admin", { userId: other, role: "viewer" }, me, 1).grantable).not.toContain(
      "owner",
    );
    expect(memberPermissions("owner", { userId: other, role: "viewer" }, me, 1).grantable).toContain("owner");
  });

  it("never lets the last owner leave or be demoted", () => {
    const p = memberPermissions("owner", { userId: me, role: "owner" }, me, 1);
    expect(p.remove).toBe(false);
    expect(p.changeRole).toBe(false);
    expect(p.reason).toMatch(/last owner/);
  });
});
