import type { Request } from "express";
import type { z } from "zod";

type Schemas = { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType };
type Parsed<S extends Schemas> = {
  [K in keyof S]: S[K] extends z.ZodType ? z.infer<S[K]> : never;
};

/**
 * Validates a request's parts at the edge. A ZodError thrown here becomes
 * `400 {error: "validation_failed", details, requestId}` in the error handler.
 */
export function parseRequest<S extends Schemas>(req: Request, schemas: S): Parsed<S> {
  const out: Record<string, unknown> = {};
  if (schemas.params) out.params = schemas.params.parse(req.params);
  if (schemas.query) out.query = schemas.query.parse(req.query);
  if (schemas.body) out.body = schemas.body.parse(req.body ?? {});
  return out as Parsed<S>;
}
