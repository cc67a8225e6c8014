// Sealing and opening live in @nora/core (`openSealed`, `sealOrFail`): one way for every caller.
export { openSealed as openOrFail, sealOrFail } from "@nora/core";

/** Whether a PostgreSQL error is a unique violation of the named constraint (or any, without a name). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === "23505" && (constraint === undefined || e.constraint === constraint);
}
