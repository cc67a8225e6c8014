import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@nora/core";
import { redactUrl } from "@nora/core";
import type { RequestHandler } from "express";
import { pinoHttp } from "pino-http";

/** Headers worth an access-log line; the rest cost serialization on every request and tell little. */
const LOGGED_HEADERS = [
  "user-agent",
  "content-type",
  "content-length",
  "origin",
  "referer",
  "x-forwarded-for",
];

function pickHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of LOGGED_HEADERS) if (headers[name] !== undefined) picked[name] = headers[name];
  return picked;
}

/** Access log with the request id on every line; field redaction happens in the logger itself. */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage) => req.id,
    // req.log carries only the request id; the request itself is serialized once, on the access line.
    quietReqLogger: true,
    customAttributeKeys: { reqId: "requestId" },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => {
      if (error || res.statusCode >= 500) return "error";
      if (res.statusCode >= 400) return "warn";
      return "info";
    },
    // The error handler logs 500s with their cause; the access line only needs the status.
    customErrorMessage: (_req: IncomingMessage, res: ServerResponse) =>
      `request failed with ${res.statusCode}`,
    serializers: {
      req: (req: {
        method: string;
        url: string;
        headers: Record<string, unknown>;
        remoteAddress?: string;
      }) => ({
        method: req.method,
        url: redactUrl(req.url),
        headers: pickHeaders(req.headers),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    wrapSerializers: false,
  }) as unknown as RequestHandler;
}
