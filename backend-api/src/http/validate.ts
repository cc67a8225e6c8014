import type { Request, RequestHandler, Response } from "express";
import type { z } from "zod";

export type RouteSchemas = { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType };
type Parsed<S extends RouteSchemas> = {
  [K in keyof S]: S[K] extends z.ZodType ? z.infer<S[K]> : never;
};

/** A route handler that carries the schemas of its input, for the generated bad-input test. */
export type ValidatedHandler = RequestHandler & { schemas: RouteSchemas };

/**
 * Validates a request's parts at the edge. A ZodError thrown here becomes
 * `400 {error: "validation_failed", details, requestId}` in the error handler.
 */
function parseRequest<S extends RouteSchemas>(req: Request, schemas: S): Parsed<S> {
  const out: Record<string, unknown> = {};
  if (schemas.params) out.params = schemas.params.parse(req.params);
  if (schemas.query) out.query = schemas.query.parse(req.query);
  if (schemas.body) out.body = schemas.body.parse(req.body ?? {});
  return out as Parsed<S>;
}

/**
 * The one way a route reads its params, query or body: `validated({ body }, async (req, res, { body }) =>
 * ...)` parses them before the handler runs and attaches the schemas to the handler, as `requires`
 * attaches a requirement, so tests can walk every route's input (`schemasOf`).
 */
export function validated<S extends RouteSchemas>(
  schemas: S,
  handler: (req: Request, res: Response, input: Parsed<S>) => unknown,
): ValidatedHandler {
  const middleware: RequestHandler = async (req, res) => {
    await handler(req, res, parseRequest(req, schemas));
  };
  return Object.assign(middleware, { schemas });
}

/** Reads the schemas attached by `validated`; used by the generated bad-input test. */
export function schemasOf(handler: unknown): RouteSchemas | undefined {
  return typeof handler === "function" ? (handler as Partial<ValidatedHandler>).schemas : undefined;
}
