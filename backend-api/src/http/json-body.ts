import { AppError, badRequest, type Config } from "@nora/core";
import express, { type Request, type RequestHandler } from "express";

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function hasBody(headers: { "content-length"?: string; "transfer-encoding"?: string }): boolean {
  return (
    (headers["content-length"] !== undefined && headers["content-length"] !== "0") ||
    headers["transfer-encoding"] !== undefined
  );
}

/**
 * Request bodies: a request that carries one must say it is JSON (else 415, before any parsing); it is
 * parsed up to the configured size (parse failures become 4xx in the error handler), then refused if it
 * carries prototype-pollution keys or nests deeper than allowed. Bodyless requests pass straight through,
 * and so do those `raw` claims (a file upload its route streams on, unread here).
 */
export function jsonBody(config: Config, options: { raw?: (req: Request) => boolean } = {}): RequestHandler {
  const parse = express.json({ limit: config.api.jsonBodyLimit, strict: true, type: "application/json" });
  const maxDepth = config.api.jsonMaxDepth;
  return (req, res, next) => {
    if (!hasBody(req.headers) || options.raw?.(req)) return next();
    if (!req.is("application/json")) {
      return next(new AppError(415, "unsupported_media_type", "Request bodies must be application/json"));
    }
    parse(req, res, (error?: unknown) => {
      if (error) return next(error);
      const problem = findBodyProblem(req.body, maxDepth);
      next(problem ? badRequest(problem.code, problem.message) : undefined);
    });
  };
}

export function findBodyProblem(body: unknown, maxDepth: number): { code: string; message: string } | null {
  if (body === null || typeof body !== "object") return null;
  const stack: Array<{ value: object; depth: number }> = [{ value: body, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: object; depth: number };
    if (depth > maxDepth)
      return { code: "body_too_deep", message: `JSON body nests deeper than ${maxDepth} levels` };
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key))
        return { code: "forbidden_key", message: `JSON body may not contain the key "${key}"` };
      const inner = (value as Record<string, unknown>)[key];
      if (inner !== null && typeof inner === "object") stack.push({ value: inner, depth: depth + 1 });
    }
  }
  return null;
}
