import { errorBody } from "@nora/api-contract";

/**
 * An answer that is not a success, built from the API's error body `{error, message?, requestId,
 * details?}`. `body` is the whole parsed answer (routes like the key rotation answer 409 with a body of
 * their own).
 */
export class ApiError extends Error {
  override readonly name: string = "ApiError";
  readonly status: number;
  readonly error: string;
  readonly requestId: string | null;
  readonly details: unknown;
  readonly body: unknown;

  constructor(init: {
    status: number;
    error: string;
    message?: string;
    requestId: string | null;
    details?: unknown;
    body?: unknown;
  }) {
    super(init.message ?? init.error);
    this.status = init.status;
    this.error = init.error;
    this.requestId = init.requestId;
    this.details = init.details;
    this.body = init.body;
  }

  /** From an HTTP answer: its error body when it has one, else the status (and the X-Request-Id header). */
  static fromResponse(status: number, body: unknown, headerRequestId: string | null): ApiError {
    const parsed = errorBody.safeParse(body);
    if (parsed.success) {
      return new ApiError({
        status,
        error: parsed.data.error,
        ...(parsed.data.message !== undefined ? { message: parsed.data.message } : {}),
        requestId: parsed.data.requestId,
        details: parsed.data.details,
        body,
      });
    }
    return new ApiError({ status, error: `http_${status}`, requestId: headerRequestId, body });
  }
}

/**
 * A request the client refused to send: its input does not match the route's schema. Same shape as the
 * API's `400 validation_failed` (`details: [{path, code, message}]`), with status 0 and no request id.
 */
export class InvalidRequestError extends ApiError {
  override readonly name = "InvalidRequestError";
}

/** A success answer whose body does not match the route's response schema. */
export class InvalidResponseError extends ApiError {
  override readonly name = "InvalidResponseError";
}
