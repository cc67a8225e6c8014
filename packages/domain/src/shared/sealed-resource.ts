import { conflict, type Pool, withTransaction } from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";

/*
 * What the workspace resources that hold sealed credentials (LLM providers, integrations, channels)
 * share: the hint shown in place of a secret, unique-name conflicts, the audit of a destination move,
 * and the audited live test through the SSRF guard.
 */

/**
 * The masked form of a secret: its last 4 characters, and only when the secret is long enough
 * (12+ characters) that 4 of them reveal little. Shorter secrets get no hint at all.
 */
export function secretHint(value: string): string | null {
  return value.length >= 12 ? value.slice(-4) : null;
}

/** Whether a PostgreSQL error is a unique violation of the named constraint (or any, without a name). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === "23505" && (constraint === undefined || e.constraint === constraint);
}

/** Rethrows a violation of the workspace-unique name constraint as 409 `name_taken`; anything else as is. */
export function rethrowNameTaken(error: unknown, constraint: string, message: string): never {
  if (isUniqueViolation(error, constraint)) throw conflict("name_taken", message);
  throw error;
}

/** Audit metadata of an update that moved a destination (the stored credentials go with it). */
export function destinationMoveMetadata(
  moves: readonly unknown[],
  credentials: { cleared: boolean; resupplied: boolean },
) {
  return moves.length > 0
    ? {
        destination: moves,
        credentialsCleared: credentials.cleared,
        credentialsResupplied: credentials.resupplied,
      }
    : {};
}

export interface LiveTestResult {
  ok: boolean;
  status: number | null;
  error?: string;
  message?: string;
}

/** The answer when the stored credentials are incomplete: nothing is sent anywhere. */
export function credentialsMissing(message: string): LiveTestResult {
  return { ok: false, status: null, error: "credentials_missing", message };
}

/** Runs a live test (or answers `credentialsMissing`) and audits its outcome, never the credentials. */
export async function auditedLiveTest<R extends LiveTestResult>(
  pool: Pool,
  ctx: ActionContext,
  test: {
    action: string;
    workspaceId: string;
    target: { type: string; id: string };
    subject: { kind: string; name: string };
    /** Why the test cannot run with what is stored, or undefined when it can. */
    missing: string | undefined;
    run: () => Promise<R>;
  },
): Promise<R | LiveTestResult> {
  const result = test.missing === undefined ? await test.run() : credentialsMissing(test.missing);
  await withTransaction(pool, (tx) =>
    recordAudit(tx, {
      ...auditFieldsOf(ctx),
      action: test.action,
      workspaceId: test.workspaceId,
      target: test.target,
      metadata: {
        ...test.subject,
        ok: result.ok,
        status: result.status,
        ...(result.error ? { error: result.error } : {}),
      },
    }),
  );
  return result;
}
