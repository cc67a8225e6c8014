/**
 * The API's error body, `{error, message, details, requestId}` (docs/security.md), read defensively:
 * the apps receive it from `fetch`, so nothing about its shape is trusted.
 */
export interface ApiErrorBody {
  error: string;
  message?: string;
  details?: unknown;
  requestId?: string;
}

/** One entry of a `validation_failed` body's `details`: the dotted path inside the request part. */
export interface ValidationIssue {
  path: string;
  code?: string;
  message: string;
}

export interface FieldErrors {
  /** The first message for each field, keyed by the issue's path. */
  fields: Record<string, string>;
  /** Messages that belong to no field on the form (root-level issues, unknown paths), never dropped. */
  form: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function parseApiError(body: unknown): ApiErrorBody | undefined {
  if (!isRecord(body) || typeof body.error !== "string") return undefined;
  const parsed: ApiErrorBody = { error: body.error };
  if (typeof body.message === "string") parsed.message = body.message;
  if (body.details !== undefined) parsed.details = body.details;
  if (typeof body.requestId === "string") parsed.requestId = body.requestId;
  return parsed;
}

export function validationIssues(details: unknown): ValidationIssue[] {
  if (!Array.isArray(details)) return [];
  const issues: ValidationIssue[] = [];
  for (const entry of details) {
    if (!isRecord(entry) || typeof entry.message !== "string") continue;
    const path = typeof entry.path === "string" ? entry.path : "";
    issues.push(
      typeof entry.code === "string"
        ? { path, code: entry.code, message: entry.message }
        : { path, message: entry.message },
    );
  }
  return issues;
}

/**
 * Maps an API error onto a form. With `fieldNames`, an issue whose path is not one of them lands in
 * `form` with its path in front, so a message is never lost because the form names a field differently.
 * An error without validation details yields its message as a form error.
 */
export function fieldErrorsFromApiError(body: unknown, fieldNames?: readonly string[]): FieldErrors {
  const result: FieldErrors = { fields: {}, form: [] };
  const error = parseApiError(body);
  if (!error) return result;
  const issues = validationIssues(error.details);
  if (issues.length === 0) {
    result.form.push(error.message ?? `The request failed (${error.error})`);
    return result;
  }
  const known = fieldNames ? new Set(fieldNames) : undefined;
  for (const issue of issues) {
    if (issue.path === "") {
      result.form.push(issue.message);
    } else if (known && !known.has(issue.path)) {
      result.form.push(`${issue.path}: ${issue.message}`);
    } else if (!(issue.path in result.fields)) {
      result.fields[issue.path] = issue.message;
    }
  }
  return result;
}
