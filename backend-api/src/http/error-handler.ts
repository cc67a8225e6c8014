import { AppError } from "@nora/core";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { ZodError } from "zod";

interface ErrorBody {
  error: string;
  message?: string;
  details?: unknown;
  requestId: string;
}

/** body-parser's error types, mapped to what the caller can act on. */
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  "entity.parse.failed": { status: 400, code: "invalid_json", message: "Request body is not valid JSON" },
  "entity.too.large": { status: 413, code: "payload_too_large", message: "Request body is too large" },
  "encoding.unsupported": {
    status: 415,
    code: "unsupported_encoding",
    message: "Unsupported content encoding",
  },
  "charset.unsupported": { status: 415, code: "unsupported_charset", message: "Unsupported charset" },
  "request.aborted": { status: 400, code: "request_aborted", message: "Request was aborted" },
  "request.size.invalid": {
    status: 400,
    code: "invalid_content_length",
    message: "Content-Length does not match the body",
  },
};

function zodDetails(error: ZodError) {
  return error.issues.map((issue) => ({
    path: issue.path.join("."),
    code: issue.code,
    message: issue.message,
  }));
}

/**
 * The one place errors become responses. Known errors carry their own status and code; anything
 * else is a 500 with nothing of the exception in the body (the log keeps it, with the request id).
 */
export function errorHandler(): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const requestId = req.id;
    let status = 500;
    let body: ErrorBody = { error: "internal_error", requestId };

    if (error instanceof ZodError) {
      status = 400;
      body = {
        error: "validation_failed",
        message: "Request is invalid",
        details: zodDetails(error),
        requestId,
      };
    } else if (error instanceof AppError) {
      status = error.status;
      body = { error: error.code, message: error.message, requestId };
      if (error.details !== undefined) body.details = error.details;
      for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
    } else if (isBodyParserError(error)) {
      const mapped = BODY_ERRORS[error.type] ?? {
        status: error.status,
        code: "bad_request",
        message: "Bad request",
      };
      status = mapped.status;
      body = { error: mapped.code, message: mapped.message, requestId };
    } else if (error instanceof URIError) {
      // The router could not percent-decode a path parameter (e.g. the bytes of a lone surrogate).
      status = 400;
      body = { error: "invalid_path", message: "The request path is not valid UTF-8", requestId };
    }

    if (status >= 500) req.log.error({ err: error, requestId }, "request failed");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).json(body);
  };
}

function isBodyParserError(error: unknown): error is { type: string; status: number } {
  if (typeof error !== "object" || error === null) return false;
  const candidate = error as { type?: unknown; status?: unknown };
  return (
    typeof candidate.type === "string" &&
    typeof candidate.status === "number" &&
    candidate.status >= 400 &&
    candidate.status < 500
  );
}

/** Unknown /api routes answer a JSON 404 with the request id. */
export function notFoundHandler(): RequestHandler {
  return (req, res) => {
    res.status(404).json({ error: "not_found", message: "No such route", requestId: req.id });
  };
}
