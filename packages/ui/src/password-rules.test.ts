import { passwordSchema } from "@nora/api-contract";
import { describe, expect, it } from "vitest";
import { checkPassword, passwordMeetsRules, passwordRulesSummary } from "./password-rules.js";

const states = (password: string) => Object.fromEntries(checkPassword(password).map((r) => [r.id, r.state]));

describe("checkPassword", () => {
  it("judges nothing while the field is empty", () => {
    expect(states("")).toEqual({ "min-length": "pending", "max-length": "pending", "not-common": "pending" });
    expect(passwordRulesSummary(checkPassword(""))).toBe("");
  });

  it("ticks the rules off as the password grows", () => {
    expect(states("short")).toEqual({ "min-length": "unmet", "max-length": "met", "not-common": "met" });
    expect(states("a long passphrase 42")).toEqual({
      "min-length": "met",
      "max-length": "met",
      "not-common": "met",
    });
    expect(states("x".repeat(129))["max-length"]).toBe("unmet");
  });

  it("knows the API's list of common passwords, whatever the case", () => {
    expect(states("Password123")["not-common"]).toBe("unmet");
    expect(states("QWERTYUIOP")["not-common"]).toBe("unmet");
  });

  it("says in words which rules are still unmet", () => {
    expect(passwordRulesSummary(checkPassword("short"))).toBe(
      "Password rules not met: at least 10 characters.",
    );
    expect(passwordRulesSummary(checkPassword("a long passphrase 42"))).toBe(
      "The password meets every rule.",
    );
  });

  it("agrees with the API's password schema on every sample", () => {
    const samples = [
      "",
      "short",
      "123456789",
      "1234567890",
      "password123",
      "PassWord123",
      "correct horse battery staple",
      "x".repeat(128),
      "x".repeat(129),
      "nora123456",
      "ünïcödé passwörd",
    ];
    for (const sample of samples) {
      expect(passwordMeetsRules(sample), JSON.stringify(sample)).toBe(
        passwordSchema.safeParse(sample).success,
      );
    }
  });
});
