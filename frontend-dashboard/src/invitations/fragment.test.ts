import { describe, expect, it } from "vitest";
import { isInvitationToken, signupWithInvitationUrl } from "./fragment";

describe("invitation link", () => {
  const token = "A".repeat(43);
  it("accepts only the API's token shape", () => {
    expect(isInvitationToken(token)).toBe(true);
    expect(isInvitationToken("short")).toBe(false);
    expect(isInvitationToken(null)).toBe(false);
  });
  it("sends a visitor to signup with the invitation in the fragment, never the query", () => {
    expect(signupWithInvitationUrl(token)).toBe(`/signup#invitation=${token}&email=`);
  });
});
