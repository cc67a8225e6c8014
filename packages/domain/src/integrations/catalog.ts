import {
  CHANNEL_KIND_SCHEMAS,
  type ChannelKind,
  INTEGRATION_KIND_SCHEMAS,
  type IntegrationKind,
} from "@nora/api-contract";
import { z } from "zod";
import type { DestinationFields, DestinationRole } from "./destinations.js";

/**
 * The kinds of integrations and channels Nora knows. Their schemas (`config`, non-secret settings stored
 * as JSON and shown on read; `credentials`, secret fields sealed as one JSON document per row and masked
 * on read) are the contract's; the server adds which config fields are destinations and the warnings a
 * stored config earns. The catalog route describes both from the schemas.
 */

export {
  CHANNEL_KINDS,
  type ChannelKind,
  DEFAULT_API_URLS,
  INTEGRATION_KINDS,
  type IntegrationKind,
} from "@nora/api-contract";

export const SMTP_INSECURE_AUTH_WARNING =
  "allowInsecureAuth is on: when the server offers no STARTTLS, the login and password travel in clear text";

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
  github: kind({ ...INTEGRATION_KIND_SCHEMAS.github, destinations: { apiUrl: "url" } }),
  slack: kind({ ...INTEGRATION_KIND_SCHEMAS.slack, destinations: { apiUrl: "url" } }),
  telegram: kind({ ...INTEGRATION_KIND_SCHEMAS.telegram, destinations: { apiUrl: "url" } }),
  discord: kind({ ...INTEGRATION_KIND_SCHEMAS.discord, destinations: { apiUrl: "url" } }),
  webhook: kind({ ...INTEGRATION_KIND_SCHEMAS.webhook, destinations: { url: "url" } }),
  smtp: kind({
    ...INTEGRATION_KIND_SCHEMAS.smtp,
    destinations: { host: "host", port: "port", allowInsecureAuth: "transport" },
    warnings: (config) =>
      config.allowInsecureAuth === true && config.secure !== true ? [SMTP_INSECURE_AUTH_WARNING] : [],
  }),
};

export const CHANNEL_CATALOG: Record<ChannelKind, KindSpec> = {
  telegram: kind({ ...CHANNEL_KIND_SCHEMAS.telegram, destinations: { apiUrl: "url" } }),
  slack: kind({ ...CHANNEL_KIND_SCHEMAS.slack, destinations: { apiUrl: "url" } }),
  discord: kind({ ...CHANNEL_KIND_SCHEMAS.discord, destinations: { apiUrl: "url" } }),
  webhook: kind({ ...CHANNEL_KIND_SCHEMAS.webhook, destinations: { url: "url" } }),
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
