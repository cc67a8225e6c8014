import { z } from "zod";
import { boundedInt, opaqueText, singleLineText } from "./primitives.js";

/**
 * The kinds of integrations and channels, each described by two zod schemas: `config` (non-secret
 * settings, stored as JSON and shown on read) and `credentials` (secret fields, sealed as one JSON
 * document per row and masked on read). Which config fields are destinations, and the warnings a
 * stored config earns, are server rules and live with the domain.
 */

const httpUrl = singleLineText({ max: 2048, trim: true })
  .url()
  .refine((u) => /^https?:\/\//i.test(u), "must be an http or https URL");
const apiUrl = (fallback: string) =>
  httpUrl.optional().describe(`API base URL (default ${fallback}); for self-hosted or test servers`);
const token = (pattern: RegExp, description: string) =>
  opaqueText({ max: 256 })
    .regex(pattern, `must match ${pattern.source.length > 40 ? "the expected format" : pattern.source}`)
    .describe(description);

// Characters that would make a "bare host" more than a host (a port, a path, credentials, a query).
const NOT_IN_A_BARE_HOST = /[\s/\\?#@]/;

/**
 * True when `text` is a bare host (a name, an IPv4 address in any spelling, an IPv6 address with or
 * without brackets) as the WHATWG URL host parser reads it: the same rule as the server's outbound
 * `parseHost`, without Node's `net` module (an unbracketed text with a colon can only be IPv6).
 */
export function isBareHost(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed || NOT_IN_A_BARE_HOST.test(trimmed)) return false;
  const bracketed = trimmed.includes(":") && !trimmed.startsWith("[") ? `[${trimmed}]` : trimmed;
  if (bracketed.includes(":") && !/^\[[^\]]*\]$/.test(bracketed)) return false;
  let url: URL;
  try {
    url = new URL(`http://${bracketed}/`);
  } catch {
    return false;
  }
  return url.port === "" && url.pathname === "/" && url.hostname !== "";
}

const hostname = singleLineText({ max: 253, min: 1, trim: true }).refine(
  isBareHost,
  "must be a host name or IP address",
);
const snowflake = singleLineText({ max: 21 }).regex(/^\d{15,21}$/, "must be a Discord id (digits)");

export const DEFAULT_API_URLS = {
  github: "https://api.github.com",
  slack: "https://slack.com/api",
  telegram: "https://api.telegram.org",
  discord: "https://discord.com/api/v10",
} as const;

const githubToken = token(/^[A-Za-z0-9_]{20,255}$/, "Personal access or app token (ghp_…, github_pat_…)");
const slackBotToken = token(/^xoxb-[A-Za-z0-9-]{10,250}$/, "Bot user OAuth token (xoxb-…)");
const slackSigningSecret = token(/^[A-Za-z0-9]{16,128}$/, "Signing secret, to verify requests from Slack");
const telegramBotToken = token(/^\d{5,15}:[A-Za-z0-9_-]{30,64}$/, "Bot token from @BotFather (123456:ABC…)");
const discordBotToken = token(/^[A-Za-z0-9._-]{50,100}$/, "Bot token");
const webhookSecret = opaqueText({ max: 256, min: 16 })
  .optional()
  .describe("HMAC-SHA256 key: requests carry X-Nora-Signature when set");

export const INTEGRATION_KINDS = ["github", "slack", "telegram", "discord", "webhook", "smtp"] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];
export const CHANNEL_KINDS = ["telegram", "slack", "discord", "webhook"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface KindSchemas {
  label: string;
  description: string;
  config: z.ZodObject;
  credentials: z.ZodObject;
}

export const INTEGRATION_KIND_SCHEMAS = {
  github: {
    label: "GitHub",
    description: "Repository access for agents, with a token. Tested with GET {apiUrl}/user.",
    config: z.strictObject({ apiUrl: apiUrl(DEFAULT_API_URLS.github) }),
    credentials: z.strictObject({ token: githubToken }),
  },
  slack: {
    label: "Slack",
    description: "A Slack app's bot. Tested with auth.test.",
    config: z.strictObject({ apiUrl: apiUrl(DEFAULT_API_URLS.slack) }),
    credentials: z.strictObject({ botToken: slackBotToken, signingSecret: slackSigningSecret }),
  },
  telegram: {
    label: "Telegram",
    description: "A Telegram bot. Tested with getMe.",
    config: z.strictObject({ apiUrl: apiUrl(DEFAULT_API_URLS.telegram) }),
    credentials: z.strictObject({ botToken: telegramBotToken }),
  },
  discord: {
    label: "Discord",
    description: "A Discord application's bot. Tested with GET /users/@me.",
    config: z.strictObject({
      applicationId: snowflake.describe("Application id"),
      apiUrl: apiUrl(DEFAULT_API_URLS.discord),
    }),
    credentials: z.strictObject({ botToken: discordBotToken }),
  },
  webhook: {
    label: "Webhook",
    description:
      "A generic HTTPS endpoint that receives JSON events, signed when a secret is set. Tested with a signed ping. Keep tokens out of the URL: it is shown on read.",
    config: z.strictObject({ url: httpUrl.describe("Endpoint URL (shown on read)") }),
    credentials: z.strictObject({ secret: webhookSecret }),
  },
  smtp: {
    label: "SMTP",
    description: "An outgoing mail server. Tested with an SMTP connection and login (no mail is sent).",
    config: z.strictObject({
      host: hostname.describe("Server host name"),
      port: boundedInt({ min: 1, max: 65535 }).describe("Server port (465 implicit TLS, 587 STARTTLS)"),
      secure: z
        .boolean()
        .default(false)
        .describe("Implicit TLS (port 465); otherwise STARTTLS, required for a login"),
      allowInsecureAuth: z
        .boolean()
        .default(false)
        .describe("INSECURE: send the login in clear text when the server offers no STARTTLS"),
      user: singleLineText({ max: 320, min: 1 }).optional().describe("Login user name"),
      from: z.email().max(320).describe("Sender address"),
    }),
    credentials: z.strictObject({
      password: opaqueText({ max: 1024, min: 1 }).optional().describe("Login password"),
    }),
  },
} satisfies Record<IntegrationKind, KindSchemas>;

export const CHANNEL_KIND_SCHEMAS = {
  telegram: {
    label: "Telegram",
    description: "An agent answers people through a Telegram bot.",
    config: z.strictObject({
      apiUrl: apiUrl(DEFAULT_API_URLS.telegram),
      allowedChatIds: z
        .array(singleLineText({ max: 21 }).regex(/^-?\d{1,20}$/, "must be a chat id"))
        .max(100)
        .optional()
        .describe("Only these chats may talk to the agent"),
    }),
    credentials: z.strictObject({ botToken: telegramBotToken }),
  },
  slack: {
    label: "Slack",
    description: "An agent answers people in Slack through an app's bot.",
    config: z.strictObject({
      apiUrl: apiUrl(DEFAULT_API_URLS.slack),
      channelId: singleLineText({ max: 21 })
        .regex(/^[CGD][A-Z0-9]{8,20}$/, "must be a Slack channel id")
        .optional()
        .describe("Channel the agent listens in"),
    }),
    credentials: z.strictObject({ botToken: slackBotToken, signingSecret: slackSigningSecret }),
  },
  discord: {
    label: "Discord",
    description: "An agent answers people in Discord through an application's bot.",
    config: z.strictObject({
      applicationId: snowflake.describe("Application id"),
      apiUrl: apiUrl(DEFAULT_API_URLS.discord),
      channelId: snowflake.optional().describe("Channel the agent listens in"),
    }),
    credentials: z.strictObject({ botToken: discordBotToken }),
  },
  webhook: {
    label: "Webhook",
    description: "An agent sends its messages to an HTTPS endpoint (signed when a secret is set).",
    config: z.strictObject({ url: httpUrl.describe("Endpoint URL (shown on read)") }),
    credentials: z.strictObject({ secret: webhookSecret }),
  },
} satisfies Record<ChannelKind, KindSchemas>;
