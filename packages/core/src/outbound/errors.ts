export type OutboundErrorCode =
  | "invalid_url"
  | "destination_forbidden"
  | "dns_failed"
  | "timeout"
  | "connection_failed"
  | "redirect_refused"
  | "response_too_large";

/** A failed outbound call. Messages name hosts and address classes, never URLs paths or credentials. */
export class OutboundError extends Error {
  override name = "OutboundError";
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
