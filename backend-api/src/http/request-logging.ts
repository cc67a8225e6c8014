import type { Logger } from "@nora/core";
import { redactUrl } from "@nora/core";
import type { RequestHandler } from "express";

declare module "http" {
  interface IncomingMessage {
    /** This request's logger: every line carries the request id. */
    log: Logger;
  }
}

/** Headers worth an access-log line; the rest cost serialization on every request and tell little. */
const LOGGED_HEADERS = [
  "user-agent",
  "content-type",
  "content-length",
  "origin",
  "referer",
  "x-forwarded-for",
];

/** Headers that carry a URL: their query goes through the same redaction as the request URL. */
const URL_HEADERS = new Set(["referer", "location"]);

function pickHeaders(headers: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names) {
    const value = headers[name];
    if (value === undefined) continue;
    picked[name] = URL_HEADERS.has(name) && typeof value === "string" ? redactUrl(value) : value;
  }
  return picked;
}

/**
 * The access log: `req.log` (a child bound to the request id) for handlers, and one line per request when
 * the response finishes, at info, warn for 4xx and error for 5xx (the error handler logs a 500's cause).
 * One child logger per request and the request described once, in the line itself: pino-http builds two
 * children per request (one binding the whole request), which cost a tenth of the API's throughput.
 * Redaction happens in the logger, as for every other line.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const log = logger.child({ requestId: req.id });
    req.log = log;
    res.once("finish", () => {
      const status = res.statusCode;
      const line = {
        req: {
          method: req.method,
          url: redactUrl(req.originalUrl),
          headers: pickHeaders(req.headers, LOGGED_HEADERS),
          remoteAddress: req.socket.remoteAddress,
        },
        // A redirect's target, redacted like every other URL in the log.
        res: { statusCode: status, ...pickHeaders({ location: res.getHeader("location") }, ["location"]) },
        responseTime: Number((process.hrtime.bigint() - started) / 1_000_000n),
      };
      if (status >= 500) log.error(line, `request failed with ${status}`);
      else if (status >= 400) log.warn(line, "request completed");
      else log.info(line, "request completed");
    });
    next();
  };
}
