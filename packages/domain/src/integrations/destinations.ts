import {
  AppError,
  badRequest,
  checkHost,
  checkUrl,
  OutboundError,
  type OutboundPolicy,
  parseHost,
} from "@nora/core";

/**
 * Destination fields: the settings that decide where, and how safely, a stored credential is sent (an
 * API URL, a webhook URL, an SMTP host and port, a switch that lets a login travel without TLS). Every
 * provider kind and every integration and channel kind names its own in its catalog entry, with the
 * role that says how the value is checked and audited.
 */
export type DestinationRole = "url" | "host" | "port" | "transport";
export type DestinationFields = Readonly<Record<string, DestinationRole>>;

/** One moved destination field, as audited: hosts and ports only, never a path (paths can carry tokens). */
export interface DestinationMove {
  field: string;
  /** The old host (or value); null when the field was unset (the kind's default). */
  from: string | null;
  to: string | null;
}

type Values = Record<string, unknown>;

function auditForm(role: DestinationRole, value: unknown): string | null {
  if (value === undefined || value === null || value === "") return null;
  try {
    if (role === "url") return new URL(String(value)).host;
    if (role === "host") return parseHost(String(value));
  } catch {
    return "(invalid)";
  }
  return String(value);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The one rule for changing where a credential goes: when any destination field changes, the stored
 * credential stays behind (it is cleared), and only a credential supplied in the same request goes to
 * the new destination. Otherwise an editor could point a saved key at a server of their own and press
 * "test" to receive it. Returns the moves (for the audit record) and whether the stored credential may
 * be kept.
 */
export function destinationChange(
  fields: DestinationFields,
  before: Values,
  after: Values,
): { moves: DestinationMove[]; keepStoredCredential: boolean } {
  const moves: DestinationMove[] = [];
  for (const [field, role] of Object.entries(fields)) {
    if (same(before[field], after[field])) continue;
    moves.push({ field, from: auditForm(role, before[field]), to: auditForm(role, after[field]) });
  }
  return { moves, keepStoredCredential: moves.length === 0 };
}

/**
 * Checks each URL and host destination with the outbound policy's no-DNS part (the same parser and
 * policy every call applies before resolving): 400 `destination_forbidden` or `invalid_url`.
 */
export function checkDestinations(fields: DestinationFields, values: Values, policy: OutboundPolicy): void {
  for (const [field, role] of Object.entries(fields)) {
    const value = values[field];
    if (typeof value !== "string" || (role !== "url" && role !== "host")) continue;
    try {
      if (role === "url") checkUrl(value, policy);
      else checkHost(value, policy);
    } catch (error) {
      if (!(error instanceof OutboundError)) throw error;
      if (error.code === "destination_forbidden") {
        throw new AppError(400, "destination_forbidden", `${field}: ${error.message}`);
      }
      throw badRequest(error.code, `${field}: ${error.message}`);
    }
  }
}
