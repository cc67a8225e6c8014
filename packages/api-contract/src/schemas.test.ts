import { describe, expect, it } from "vitest";
import { publicUser, signupBody } from "./auth.js";
import { createIntegrationBody, integration, updateChannelBody } from "./integrations.js";
import { roleAtLeast } from "./primitives.js";
import { createProviderBody, provider } from "./providers.js";
import { API } from "./routes.js";
import { jsonValue, toWire } from "./wire.js";
import { apiKey, apiKeyCreatedResponse, createApiKeyBody } from "./workspaces.js";

const ID = "5b0c7c1e-8f3c-4a5e-9d6b-2f1e0a9c8b7d";
const NOW = new Date("2025-03-04T05:06:07.089Z");

describe("request schemas", () => {
  it("parse valid requests with today's rules", () => {
    expect(signupBody.parse({ email: " Ada@Example.org ", password: "a long enough secret" }).email).toBe(
      "ada@example.org",
    );
    expect(
      createApiKeyBody.parse({ description: "bot", scopes: ["agents:read", "agents:read"] }).scopes,
    ).toEqual(["agents:read"]);
    expect(
      createIntegrationBody.parse({
        kind: "smtp",
        name: "Mail",
        config: { host: "smtp.example.org", port: 587, from: "nora@example.org" },
      }),
    ).toMatchObject({ config: { secure: false, allowInsecureAuth: false }, credentials: {} });
    expect(updateChannelBody.parse({ agentId: null })).toEqual({ agentId: null });
  });

  it("refuse bad ones with the same messages", () => {
    const weak = signupBody.safeParse({ email: "ada@example.org", password: "password123" });
    expect(weak.error?.issues[0]?.message).toBe("This password is too common; choose another");
    const noKey = createProviderBody.safeParse({ kind: "openai", name: "OpenAI" });
    expect(noKey.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["apiKey", "apiKey is required for openai"],
    ]);
    const noUrl = createProviderBody.safeParse({ kind: "ollama", name: "Local" });
    expect(noUrl.error?.issues[0]?.path).toEqual(["baseUrl"]);
    for (const host of ["smtp.example.org:25", "a/b", "user@host", "[::1", ""]) {
      const bad = createIntegrationBody.safeParse({
        kind: "smtp",
        name: "Mail",
        config: { host, port: 25, from: "nora@example.org" },
      });
      expect(bad.success, host).toBe(false);
    }
    expect(API.workspaces.get.params.safeParse({ id: "not-a-uuid" }).success).toBe(false);
  });

  it("keep the role order", () => {
    expect(roleAtLeast("owner", "admin")).toBe(true);
    expect(roleAtLeast("editor", "admin")).toBe(false);
  });
});

describe("response schemas", () => {
  it("strip fields they do not list (hashes, sealed values)", () => {
    const user = { id: ID, email: "a@b.c", role: "user", displayName: null, emailVerified: true };
    expect(toWire(publicUser, { ...user, passwordHash: "$argon2id$..." })).toEqual(user);

    const key = {
      id: ID,
      description: "bot",
      prefix: "nora_abcd",
      scopes: ["agents:read"],
      createdBy: ID,
      createdAt: NOW,
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
      rotatedFrom: null,
    };
    const listed = toWire(apiKey, { ...key, keyHash: Buffer.from("hash"), workspaceId: ID });
    expect(listed).not.toHaveProperty("keyHash");
    expect(listed).not.toHaveProperty("workspaceId");
    expect(listed.createdAt).toBe("2025-03-04T05:06:07.089Z");
    // Creation reveals the key once, because its schema lists it.
    const created = toWire(apiKeyCreatedResponse, { apiKey: key, key: "nora_secret", keyHash: "x" });
    expect(Object.keys(created).sort()).toEqual(["apiKey", "key"]);

    const row = {
      id: ID,
      kind: "openai",
      name: "OpenAI",
      baseUrl: null,
      defaultModel: null,
      isDefault: true,
      keySet: true,
      keyHint: "wxyz",
      keySetAt: NOW,
      createdAt: NOW,
      updatedAt: NOW,
    };
    expect(
      toWire(provider, { ...row, apiKey: "nora:v1:...", apiKeySealed: "nora:v1:..." }),
    ).not.toHaveProperty("apiKeySealed");

    const masked = toWire(integration, {
      id: ID,
      kind: "github",
      name: "GitHub",
      config: {},
      credentials: { token: { set: true, hint: "Wq7Z", value: "ghp_secret" } },
      warnings: [],
      credentialsSetAt: NOW,
      createdAt: NOW,
      updatedAt: NOW,
      credentialsSealed: "nora:v1:...",
    });
    expect(masked.credentials).toEqual({ token: { set: true, hint: "Wq7Z" } });
    expect(masked).not.toHaveProperty("credentialsSealed");
  });

  it("refuse an answer that does not fit (a Date where none belongs, a missing field)", () => {
    expect(() => toWire(publicUser, { id: ID })).toThrow();
  });

  it("model the JSON wire format: Dates as ISO strings, undefined properties dropped", () => {
    expect(jsonValue({ at: NOW, gone: undefined, list: [NOW, undefined] })).toEqual({
      at: "2025-03-04T05:06:07.089Z",
      list: ["2025-03-04T05:06:07.089Z", null],
    });
    const value = { at: NOW, n: 1, nested: { s: "x", when: null }, gone: undefined };
    expect(jsonValue(value)).toEqual(JSON.parse(JSON.stringify(value)));
  });
});
