/**
 * Codes the client itself assigns when the runtime gave no answer of its own (the runtime's own
 * error codes, such as `unauthorized` or `not_found`, pass through unchanged).
 */
export const RUNTIME_CLIENT_CODES = {
  /** Connection refused or reset, DNS failure, or no answer within the deadline (status 502 or 504). */
  unreachable: "runtime_unreachable",
  /** The runtime answered a redirect; it is never followed. */
  redirect: "runtime_redirect",
  /** The answer did not have the contract's shape, or was larger than allowed. */
  badResponse: "runtime_bad_response",
} as const;

/**
 * A failed runtime call. `status` is the runtime's HTTP status when it answered, else 502 (no
 * connection) or 504 (deadline passed). Messages never carry the token or the runtime's URL.
 */
export class RuntimeError extends Error {
  override name = "RuntimeError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request id the runtime answered with, or the one sent when it did not answer. */
    readonly requestId: string | null,
  ) {
    super(message);
  }

  /** True when the runtime was not reached or did not answer in time. */
  get unreachable(): boolean {
    return this.code === RUNTIME_CLIENT_CODES.unreachable;
  }

  /** True when the runtime answered with an error of its own (4xx or 5xx). */
  get answered(): boolean {
    return !Object.values<string>(RUNTIME_CLIENT_CODES).includes(this.code);
  }
}
