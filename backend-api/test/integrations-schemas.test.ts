import { randomBytes, randomUUID } from "node:crypto";
import { createChannelBody, createIntegrationBody } from "@nora/api-contract";
import { describe, expect, it } from "vitest";
import { FAKE_KEYS } from "./fake-upstreams.js";

/** Per-kind validation of integration and channel bodies: good and bad samples for every kind. */
const SLACK_SIGNING = "abcdef0123456789abcdef0123456789";
const WEBHOOK_SECRET = `whsec-${randomBytes(12).toString("hex")}`;
const SMTP_PASSWORD = `smtp-pw-${randomBytes(6).toString("hex")}`;
const GOOD: Record<
  string,
  Array<{ config?: Record<string, unknown>; credentials?: Record<string, unknown> }>
> = {
  github: [
    { credentials: { token: FAKE_KEYS.github } },
    {
      config: { apiUrl: "https://github.example.org/api/v3" },
      credentials: { token: `github_pat_${"a".repeat(40)}` },
    },
  ],
  slack: [{ credentials: { botToken: FAKE_KEYS.slack, signingSecret: SLACK_SIGNING } }],
  telegram: [{ credentials: { botToken: FAKE_KEYS.telegram } }],
  discord: [
    { config: { applicationId: "123456789012345678" }, credentials: { botToken: FAKE_KEYS.discord } },
  ],
  webhook: [
    { config: { url: "https://hooks.example.org/nora" } },
    { config: { url: "https://hooks.example.org/nora" }, credentials: { secret: WEBHOOK_SECRET } },
  ],
  smtp: [
    { config: { host: "smtp.example.org", port: 587, from: "nora@example.org" } },
    {
      config: { host: "smtp.example.org", port: 465, secure: true, user: "nora", from: "nora@example.org" },
      credentials: { password: SMTP_PASSWORD },
    },
  ],
};

const BAD: Record<string, Array<[Record<string, unknown>, string]>> = {
  github: [
    [{ credentials: {} }, "credentials.token"],
    [{ credentials: { token: "has spaces in it 1234567890" } }, "credentials.token"],
    [
      { config: { apiUrl: "ftp://github.example.org" }, credentials: { token: FAKE_KEYS.github } },
      "config.apiUrl",
    ],
    [{ config: { org: "acme" }, credentials: { token: FAKE_KEYS.github } }, "config"],
  ],
  slack: [
    [
      { credentials: { botToken: "xoxp-user-token-1234567", signingSecret: SLACK_SIGNING } },
      "credentials.botToken",
    ],
    [{ credentials: { botToken: FAKE_KEYS.slack } }, "credentials.signingSecret"],
  ],
  telegram: [
    [{ credentials: { botToken: "123456" } }, "credentials.botToken"],
    [{ credentials: { botToken: `123456:${"a".repeat(31)}/../x` } }, "credentials.botToken"],
  ],
  discord: [
    [{ credentials: { botToken: FAKE_KEYS.discord } }, "config.applicationId"],
    [
      { config: { applicationId: "abc" }, credentials: { botToken: FAKE_KEYS.discord } },
      "config.applicationId",
    ],
  ],
  webhook: [
    [{}, "config.url"],
    [{ config: { url: "javascript:alert(1)" } }, "config.url"],
    [
      { config: { url: "https://hooks.example.org" }, credentials: { secret: "short" } },
      "credentials.secret",
    ],
  ],
  smtp: [
    [{ config: { host: "smtp.example.org", from: "nora@example.org" } }, "config.port"],
    [{ config: { host: "smtp.example.org", port: 70000, from: "nora@example.org" } }, "config.port"],
    [{ config: { host: "smtp example org", port: 25, from: "nora@example.org" } }, "config.host"],
    [{ config: { host: "smtp.example.org", port: 25, from: "not-an-address" } }, "config.from"],
    [
      {
        config: { host: "smtp.example.org", port: 25, from: "a@example.org" },
        credentials: { password: "" },
      },
      "credentials.password",
    ],
  ],
};

describe("integration and channel schemas", () => {
  for (const [kind, samples] of Object.entries(GOOD)) {
    it(`accepts good ${kind} samples`, () => {
      for (const sample of samples) {
        const parsed = createIntegrationBody.safeParse({ kind, name: kind, ...sample });
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      }
    });
  }
  for (const [kind, samples] of Object.entries(BAD)) {
    it.each(samples)(`refuses a bad ${kind} sample %j`, (sample, path) => {
      const parsed = createIntegrationBody.safeParse({ kind, name: kind, ...sample });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.path.join("."))).toContain(path);
    });
  }
  it("refuses unknown kinds and extra top-level fields", () => {
    expect(createIntegrationBody.safeParse({ kind: "jira", name: "x" }).success).toBe(false);
    expect(
      createIntegrationBody.safeParse({
        kind: "github",
        name: "x",
        credentials: { token: FAKE_KEYS.github },
        extra: 1,
      }).success,
    ).toBe(false);
  });
  it("channels accept their four kinds with an optional agent id", () => {
    const ok = [
      {
        kind: "telegram",
        name: "t",
        config: { allowedChatIds: ["-1001234", "42"] },
        credentials: { botToken: FAKE_KEYS.telegram },
      },
      {
        kind: "slack",
        name: "s",
        config: { channelId: "C01234ABCD" },
        credentials: { botToken: FAKE_KEYS.slack, signingSecret: SLACK_SIGNING },
      },
      {
        kind: "discord",
        name: "d",
        config: { applicationId: "123456789012345678" },
        credentials: { botToken: FAKE_KEYS.discord },
      },
      { kind: "webhook", name: "w", agentId: randomUUID(), config: { url: "https://hooks.example.org/x" } },
    ];
    for (const body of ok) expect(createChannelBody.safeParse(body).success, body.kind).toBe(true);
    for (const bad of [
      { kind: "github", name: "g", credentials: { token: FAKE_KEYS.github } },
      { kind: "smtp", name: "m", config: { host: "h", port: 25, from: "a@example.org" } },
      {
        kind: "telegram",
        name: "t",
        config: { allowedChatIds: ["abc"] },
        credentials: { botToken: FAKE_KEYS.telegram },
      },
      {
        kind: "slack",
        name: "s",
        config: { channelId: "general" },
        credentials: { botToken: FAKE_KEYS.slack, signingSecret: SLACK_SIGNING },
      },
      { kind: "webhook", name: "w", agentId: "agent-1", config: { url: "https://hooks.example.org/x" } },
    ]) {
      expect(createChannelBody.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
