import { singleLineText } from "@nora/core";

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

export const envOverrideNameSchema = singleLineText({ max: 64 })
  .regex(/^[A-Z][A-Z0-9_]{0,63}$/, "Names are 1-64 characters: A-Z, 0-9 and _, starting with a letter")
  .refine(
    (name) => !RESERVED_EXACT.has(name) && !RESERVED_PREFIXES.some((p) => name.startsWith(p)),
    "This name is reserved by Nora or the runtime",
  );
