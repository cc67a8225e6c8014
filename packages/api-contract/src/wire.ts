import { z } from "zod";

/**
 * Response-side primitives: what goes over the wire. Responses are modelled as the JSON the API sends
 * (a Date becomes its ISO string); `z.object` strips keys it does not list, so serialising through a
 * response schema drops any unlisted field (a sealed value, a hash) instead of leaking it.
 */

/** A point in time as JSON carries it: `Date.prototype.toJSON`'s ISO 8601 form. */
export const timestamp = z.iso.datetime({ offset: true });

/** The body of every 4xx/5xx answer (backend-api's error handler). */
export const errorBody = z.object({
  error: z.string(),
  message: z.string().optional(),
  requestId: z.string(),
  details: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof errorBody>;

/** One zod issue in a `validation_failed` body's `details` (the path dotted: `config.apiUrl`). */
export const validationIssue = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
});

/**
 * A value as `JSON.stringify` would send it (Dates and other `toJSON` values converted, `undefined`
 * properties dropped), without building the string: the input a response schema parses on the server.
 */
export function jsonValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return jsonValue(withToJson.toJSON());
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : jsonValue(v)));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined && typeof v !== "function") out[key] = jsonValue(v);
  }
  return out;
}

/** Serialises a response through its schema: only listed fields survive. Throws when the value does not fit. */
export function toWire<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return schema.parse(jsonValue(value));
}
