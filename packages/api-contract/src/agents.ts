import { z } from "zod";
import { opaqueText, singleLineText } from "./primitives.js";
import { timestamp } from "./wire.js";

/** Names Nora and the runtimes set themselves; an override may not shadow them. */
const RESERVED_EXACT = new Set([
  "PATH",
  "HOME",
  "USER",
  "SHELL",
  "PWD",
  "HOSTNAME",
  "TMPDIR",
  "TZ",
  "NODE_OPTIONS",
  "NODE_PATH",
  "NODE_EXTRA_CA_CERTS",
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "SSL_CERT_FILE",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "DO_NOT_TRACK",
]);
const RESERVED_PREFIXES = ["NORA_", "OPENCLAW_", "HERMES_"];

/* Requests */

export const secretNameSchema = singleLineText({ max: 64 })
  .regex(/^[A-Z][A-Z0-9_]{0,63}$/, "Names are 1-64 characters: A-Z, 0-9 and _, starting with a letter")
  .refine(
    (name) => !RESERVED_EXACT.has(name) && !RESERVED_PREFIXES.some((p) => name.startsWith(p)),
    "This name is reserved by Nora or the runtime",
  );

export const agentParams = z.strictObject({ agentId: z.uuid() });
export const agentSecretParams = z.strictObject({ agentId: z.uuid(), name: secretNameSchema });
export const setAgentSecretBody = z.strictObject({ value: opaqueText({ max: 32_768, min: 1 }) });

/* Responses */

/** Per-agent overrides: names and hints only (the last 4 characters of values of 12 or more, else ""). */
export const agentSecretsResponse = z.object({
  secrets: z.array(
    z.object({
      name: z.string(),
      set: z.literal(true),
      hint: z.string(),
      updatedAt: timestamp,
      updatedBy: z.uuid().nullable(),
    }),
  ),
});

/** What reached the running agent and what did not (and why); never a key. */
export const providerSyncResponse = z.object({
  synced: z.literal(true),
  providers: z.array(z.object({ id: z.string(), kind: z.string(), model: z.string().nullable() })),
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
  defaultModel: z.string().nullable(),
});
