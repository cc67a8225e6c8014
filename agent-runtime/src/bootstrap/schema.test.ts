import { describe, expect, it } from "vitest";
import { agentDesiredStateSchema, agentSecretsSchema, envValueSchema, providerSyncSchema } from "./schema.js";

/**
 * What the control plane hands a runtime (provider sync, desired state, secrets) is refused when it carries
 * characters no config file, environment entry or header can hold: NUL and other control characters in
 * single-line values, lone UTF-16 surrogates anywhere (they would be written as U+FFFD, silently changing
 * a key or a file).
 */
const LONE_SURROGATE = "key\uD800tail";

function sync(overrides: { name?: string; apiKey?: string }) {
  return {
    providers: [
      {
        id: "openai",
        api: "openai-completions",
        baseUrl: "https://api.openai.example/v1",
        apiKey: overrides.apiKey ?? "sk-test-0123456789",
        models: [{ id: "gpt-test", ...(overrides.name !== undefined ? { name: overrides.name } : {}) }],
      },
    ],
  };
}

function desired(overrides: { name?: string; template?: Record<string, string> }) {
  return { agentId: "agent-1", name: overrides.name ?? "scout", family: "openclaw", ...overrides };
}

describe("runtime bootstrap schemas refuse unrepresentable text", () => {
  it("accepts ordinary values", () => {
    expect(providerSyncSchema.safeParse(sync({ name: "GPT Test" })).success).toBe(true);
    expect(
      agentDesiredStateSchema.safeParse(desired({ template: { "SOUL.md": "# Soul\n\tdeep" } })).success,
    ).toBe(true);
    expect(envValueSchema.safeParse("line one\nline two").success).toBe(true);
  });

  it.each([
    ["NUL", "a\u0000b"],
    ["a newline", "a\nb"],
    ["an escape", "a\u001bb"],
    ["a lone surrogate", LONE_SURROGATE],
  ])("refuses %s in a provider's key or a model name", (_label, value) => {
    expect(providerSyncSchema.safeParse(sync({ apiKey: value })).success).toBe(false);
    expect(providerSyncSchema.safeParse(sync({ name: value })).success).toBe(false);
  });

  it("refuses a lone surrogate in a template file (any other character is file content)", () => {
    expect(
      agentDesiredStateSchema.safeParse(desired({ template: { "SOUL.md": LONE_SURROGATE } })).success,
    ).toBe(false);
    expect(agentDesiredStateSchema.safeParse(desired({ template: { "SOUL.md": "a\u0000b" } })).success).toBe(
      true,
    );
  });

  it.each([
    ["NUL", "a\u0000b"],
    ["a lone surrogate", LONE_SURROGATE],
  ])("refuses %s in an agent name, an environment value and the tokens", (_label, value) => {
    expect(agentDesiredStateSchema.safeParse(desired({ name: value })).success).toBe(false);
    expect(envValueSchema.safeParse(value).success).toBe(false);
    const token = value.padEnd(40, "x");
    expect(agentSecretsSchema.safeParse({ runtimeToken: token, gatewayToken: "g".repeat(40) }).success).toBe(
      false,
    );
  });
});
