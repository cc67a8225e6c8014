import { z } from "zod";

/**
 * The runtime server's request primitives, by the same rules as `@nora/core`'s validation module (which
 * the runtime image cannot import: it ships the server with zod as its only dependency). Every string
 * refuses lone UTF-16 surrogates (UTF-8 file names and contents would silently become U+FFFD) and is
 * bounded; names and paths also refuse control characters.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** Linux's PATH_MAX: no longer path can be opened. */
export const PATH_MAX = 4096;

const wellFormed = (max: number) =>
  z
    .string()
    .refine((v) => !LONE_SURROGATE.test(v), "must be valid Unicode (no lone surrogates)")
    .max(max);

/** One line of text (a name, a label): no control characters (NUL included), bounded. */
export function lineText(max: number): z.ZodString {
  return wellFormed(max).refine((v) => !CONTROL.test(v), "must not contain control characters");
}

/** A root name or a relative path: a line of at most PATH_MAX. */
export function pathText(): z.ZodString {
  return lineText(PATH_MAX);
}

/** A command argument or stdin: anything but NUL and lone surrogates, bounded. */
export function argumentText(max: number): z.ZodString {
  return wellFormed(max).refine((v) => !v.includes("\u0000"), "must not contain NUL");
}

/** File content sent as text: any character UTF-8 can carry. The body limit bounds it. */
export function contentText(max: number): z.ZodString {
  return wellFormed(max);
}

/** An integer query parameter: decimal digits only, within its range. */
export function queryInt(options: { min: number; max: number }) {
  return z
    .string()
    .max(11)
    .regex(/^-?\d+$/, "must be an integer")
    .transform(Number)
    .pipe(z.number().int().min(options.min).max(options.max));
}
