import { errorBody, validationIssue } from "@nora/api-contract";
import type { z } from "zod";

/** One entry of a `validation_failed` answer's `details`: the dotted path inside the request part. */
export type ValidationIssue = z.infer<typeof validationIssue>;

const ISSUE_LIST = validationIssue.array();

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

  constructor(
    init: {
      status: number;
      error: string;
      message?: string;
      requestId: string | null;
      details?: unknown;
      body?: unknown;
    },
    options?: { cause?: unknown },
  ) {
    super(init.message ?? init.error, options);
    this.status = init.status;
    this.error = init.error;
    this.requestId = init.requestId;
    this.details = init.details;
    this.body = init.body;
  }

  /** The API's error code (`validation_failed`, `invalid_credentials`, ...): the same as `error`. */
  get code(): string {
    return this.error;
  }

  /** The validation issues in `details`, each `{path, code, message}`; none for other errors. */
  get issues(): ValidationIssue[] {
    const parsed = ISSUE_LIST.safeParse(this.details);
    return parsed.success ? parsed.data : [];
  }

  /**
   * The issues as a form names its fields: a body issue's path without the `body.` the client puts in
   * front of the issues it finds before sending, so `email` is `email` whichever side refused it.
   */
  get fieldIssues(): ValidationIssue[] {
    return this.issues;
  }

  /** The API's error body again, `{error, message, details, requestId}`, with `fieldIssues` as details. */
  toBody(): { error: string; message: string; details?: ValidationIssue[]; requestId?: string } {
    const issues = this.fieldIssues;
    return {
      error: this.error,
      message: this.message,
      ...(issues.length > 0 ? { details: issues } : {}),
      ...(this.requestId !== null ? { requestId: this.requestId } : {}),
    };
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

  override get fieldIssues(): ValidationIssue[] {
    return this.issues.map((issue) =>
      issue.path === "body" || issue.path.startsWith("body.")
        ? { ...issue, path: issue.path.slice("body.".length) }
        : issue,
    );
  }
}

/** A success answer whose body does not match the route's response schema. */
export class InvalidResponseError extends ApiError {
  override readonly name = "InvalidResponseError";
}

/** No answer at all: the network failed, the server was down, or the request was aborted. Status 0. */
export class NetworkError extends ApiError {
  override readonly name = "NetworkError";
}

/** Whether a thrown value is one of this client's errors (a network failure included). */
export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}
