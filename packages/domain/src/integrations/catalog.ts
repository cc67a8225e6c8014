import { boundedInt, opaqueText, singleLineText } from "@nora/api-contract";
import { parseHost } from "@nora/core";
import { z } from "zod";
import type { DestinationFields, DestinationRole } from "./destinations.js";

/**
 * The kinds of integrations and channels Nora knows, each described by two zod schemas: `config`
 * (non-secret settings, stored as JSON and shown on read) and `credentials` (secret fields, sealed as
 * one JSON document per row and masked on read). The catalog route describes both from the schemas.
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
// The same host parser as every call uses (WHATWG host parsing): any spelling of an address is its address.
const hostname = singleLineText({ max: 253, min: 1, trim: true }).refine((h) => {
  try {
    parseHost(h);
    return true;
  } catch {
    return false;
  }
}, "must be a host name or IP address");
const snowflake = singleLineText({ max: 21 }).regex(/^\d{15,21}$/, "must be a Discord id (digits)");

const GITHUB_API = "https://api.github.com";
const SLACK_API = "https://slack.com/api";
const TELEGRAM_API = "https://api.telegram.org";
const DISCORD_API = "https://discord.com/api/v10";

export const DEFAULT_API_URLS = {
  github: GITHUB_API,
  slack: SLACK_API,
  telegram: TELEGRAM_API,
  discord: DISCORD_API,
} as const;

const githubToken = token(/^[A-Za-z0-9_]{20,255}$/, "Personal access or app token (ghp_…, github_pat_…)");
const slackBotToken = token(/^xoxb-[A-Za-z0-9-]{10,250}$/, "Bot user OAuth token (xoxb-…)");
const slackSigningSecret = token(/^[A-Za-z0-9]{16,128}$/, "Signing secret, to verify requests from Slack");
const telegramBotToken = token(/^\d{5,15}:[A-Za-z0-9_-]{30,64}$/, "Bot token from @BotFather (123456:ABC…)");
const discordBotToken = token(/^[A-Za-z0-9._-]{50,100}$/, "Bot token");
const webhookSecret = opaqueText({ max: 256, min: 16 })
  .optional()
  .describe("HMAC-SHA256 key: requests carry X-Nora-Signature when set");

export const SMTP_INSECURE_AUTH_WARNING =
  "allowInsecureAuth is on: when the server offers no STARTTLS, the login and password travel in clear text";

export const INTEGRATION_KINDS = ["github", "slack", "telegram", "discord", "webhook", "smtp"] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];
export const CHANNEL_KINDS = ["telegram", "slack", "discord", "webhook"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface KindSpec {
  label: string;
  description: string;
  config: z.ZodObject;
  credentials: z.ZodObject;
  /**
   * The config fields that decide where (and how safely) the credentials are sent. Changing one clears
   * the stored credentials unless the same request supplies them again (destinations.ts).
   */
  destinations: DestinationFields;
  /** Warnings about a stored config that the API shows with it (e.g. an insecure login allowed). */
  warnings?: (config: Record<string, unknown>) => string[];
}

/** A kind whose destination fields are checked against its own config fields by the compiler. */
function kind<C extends z.core.$ZodShape, K extends z.core.$ZodObjectConfig>(
  spec: Omit<KindSpec, "config" | "destinations"> & {
    config: z.ZodObject<C, K>;
    destinations: Readonly<Partial<Record<Extract<keyof C, string>, DestinationRole>>>;
  },
): KindSpec {
  return { ...spec, destinations: spec.destinations as DestinationFields };
}

export const INTEGRATION_CATALOG: Record<IntegrationKind, KindSpec> = {
  github: kind({
    label: "GitHub",
    description: "Repository access for agents, with a token. Tested with GET {apiUrl}/user.",
    config: z.strictObject({ apiUrl: apiUrl(GITHUB_API) }),
    credentials: z.strictObject({ token: githubToken }),
    destinations: { apiUrl: "url" },
  }),
  slack: kind({
    label: "Slack",
    description: "A Slack app's bot. Tested with auth.test.",
    config: z.strictObject({ apiUrl: apiUrl(SLACK_API) }),
    credentials: z.strictObject({ botToken: slackBotToken, signingSecret: slackSigningSecret }),
    destinations: { apiUrl: "url" },
  }),
  telegram: kind({
    label: "Telegram",
    description: "A Telegram bot. Tested with getMe.",
    config: z.strictObject({ apiUrl: apiUrl(TELEGRAM_API) }),
    credentials: z.strictObject({ botToken: telegramBotToken }),
    destinations: { apiUrl: "url" },
  }),
  discord: kind({
    label: "Discord",
    description: "A Discord application's bot. Tested with GET /users/@me.",
    config: z.strictObject({
      applicationId: snowflake.describe("Application id"),
      apiUrl: apiUrl(DISCORD_API),
    }),
    credentials: z.strictObject({ botToken: discordBotToken }),
    destinations: { apiUrl: "url" },
  }),
  webhook: kind({
    label: "Webhook",
    description:
      "A generic HTTPS endpoint that receives JSON events, signed when a secret is set. Tested with a signed ping. Keep tokens out of the URL: it is shown on read.",
    config: z.strictObject({ url: httpUrl.describe("Endpoint URL (shown on read)") }),
    credentials: z.strictObject({ secret: webhookSecret }),
    destinations: { url: "url" },
  }),
  smtp: kind({
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
    destinations: { host: "host", port: "port", allowInsecureAuth: "transport" },
    warnings: (config) =>
      config.allowInsecureAuth === true && config.secure !== true ? [SMTP_INSECURE_AUTH_WARNING] : [],
  }),
};

export const CHANNEL_CATALOG: Record<ChannelKind, KindSpec> = {
  telegram: kind({
    label: "Telegram",
    description: "An agent answers people through a Telegram bot.",
    config: z.strictObject({
      apiUrl: apiUrl(TELEGRAM_API),
      allowedChatIds: z
        .array(singleLineText({ max: 21 }).regex(/^-?\d{1,20}$/, "must be a chat id"))
        .max(100)
        .optional()
        .describe("Only these chats may talk to the agent"),
    }),
    credentials: z.strictObject({ botToken: telegramBotToken }),
    destinations: { apiUrl: "url" },
  }),
  slack: kind({
    label: "Slack",
    description: "An agent answers people in Slack through an app's bot.",
    config: z.strictObject({
      apiUrl: apiUrl(SLACK_API),
      channelId: singleLineText({ max: 21 })
        .regex(/^[CGD][A-Z0-9]{8,20}$/, "must be a Slack channel id")
        .optional()
        .describe("Channel the agent listens in"),
    }),
    credentials: z.strictObject({ botToken: slackBotToken, signingSecret: slackSigningSecret }),
    destinations: { apiUrl: "url" },
  }),
  discord: kind({
    label: "Discord",
    description: "An agent answers people in Discord through an application's bot.",
    config: z.strictObject({
      applicationId: snowflake.describe("Application id"),
      apiUrl: apiUrl(DISCORD_API),
      channelId: snowflake.optional().describe("Channel the agent listens in"),
    }),
    credentials: z.strictObject({ botToken: discordBotToken }),
    destinations: { apiUrl: "url" },
  }),
  webhook: kind({
    label: "Webhook",
    description: "An agent sends its messages to an HTTPS endpoint (signed when a secret is set).",
    config: z.strictObject({ url: httpUrl.describe("Endpoint URL (shown on read)") }),
    credentials: z.strictObject({ secret: webhookSecret }),
    destinations: { url: "url" },
  }),
};

export interface FieldDescription {
  name: string;
  secret: boolean;
  required: boolean;
  type: string;
  description?: string;
  default?: unknown;
}

/** Non-secret descriptions of a kind's fields, from its schemas (never values). */
export function describeKind(kind: string, spec: KindSpec) {
  const fields: FieldDescription[] = [];
  for (const [schema, secret] of [
    [spec.config, false],
    [spec.credentials, true],
  ] as const) {
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
      properties?: Record<
        string,
        { type?: string; format?: string; description?: string; default?: unknown; items?: { type?: string } }
      >;
      required?: string[];
    };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      const type =
        prop.type === "array"
          ? `${prop.items?.type ?? "string"}[]`
          : prop.format === "uri"
            ? "url"
            : (prop.format ?? prop.type ?? "string");
      fields.push({
        name,
        secret,
        required: (json.required ?? []).includes(name) && prop.default === undefined,
        type,
        ...(prop.description ? { description: prop.description } : {}),
        ...(prop.default !== undefined ? { default: prop.default } : {}),
      });
    }
  }
  return { kind, label: spec.label, description: spec.description, fields };
}
