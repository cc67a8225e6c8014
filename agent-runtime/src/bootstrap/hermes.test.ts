import { scryptSync, timingSafeEqual } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HERMES_DASHBOARD_USERNAME, hermesDashboardCredential, hermesSecretEnv } from "./hermes.js";

const TOKEN_A = "a".repeat(64);
const TOKEN_B = "b".repeat(64);

/** Hermes' own check (plugins/dashboard_auth/basic `_verify_password`), in Node. */
function verifies(password: string, encoded: string): boolean {
  const [scheme, n, r, p, salt, key] = encoded.split("$");
  if (scheme !== "scrypt" || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, "base64");
  const actual = scryptSync(password, Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

describe("the Hermes dashboard login", () => {
  it("is derived per agent: the hash in the agent's environment verifies the derived password only", () => {
    const env = hermesSecretEnv([], TOKEN_A);
    const hash = env.HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH ?? "";
    const credential = hermesDashboardCredential(TOKEN_A);
    expect(credential.username).toBe(HERMES_DASHBOARD_USERNAME);
    expect(verifies(credential.password, hash)).toBe(true);
    expect(verifies(hermesDashboardCredential(TOKEN_B).password, hash)).toBe(false);
  });

  it("never puts the password, or the token it comes from, in a dashboard variable", () => {
    const env = hermesSecretEnv([], TOKEN_A);
    const { password } = hermesDashboardCredential(TOKEN_A);
    const dashboardValues = Object.entries(env)
      .filter(([name]) => name.startsWith("HERMES_DASHBOARD_"))
      .map(([, value]) => value)
      .join("\n");
    expect(dashboardValues).not.toContain(password);
    expect(dashboardValues).not.toContain(TOKEN_A);
    expect(password).not.toBe(env.HERMES_DASHBOARD_BASIC_AUTH_SECRET);
  });
});
