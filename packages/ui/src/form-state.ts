import { fieldErrorsFromApiError, parseApiError } from "./api-error.js";

/** What a form shows after a refusal: inline errors by field, the rest at the top, and the request id. */
export interface FormErrors {
  fields: Record<string, string>;
  form: string[];
  /** The API's request id of the refused request, shown with the form-level error for bug reports. */
  requestId?: string;
}

export const NO_FORM_ERRORS: FormErrors = Object.freeze({ fields: {}, form: [] }) as FormErrors;

export function hasFormErrors(errors: FormErrors): boolean {
  return errors.form.length > 0 || Object.keys(errors.fields).length > 0;
}

/** An error that can say what the API answered, e.g. `ApiError` of @nora/api-client (`toBody()`). */
interface WithBody {
  toBody(): unknown;
}
const hasBody = (value: unknown): value is WithBody =>
  typeof value === "object" && value !== null && typeof (value as Partial<WithBody>).toBody === "function";

/**
 * A failure as the form shows it. Takes what a call threw: an API error (its body: validation details
 * become inline errors on the named fields, anything else a form-level message), the API's error body
 * itself, or any other error (its message, at the top). Nothing is dropped.
 */
export function formErrorsFrom(error: unknown, fieldNames?: readonly string[]): FormErrors {
  const body = hasBody(error) ? error.toBody() : error;
  const parsed = parseApiError(body);
  if (parsed) {
    const { fields, form } = fieldErrorsFromApiError(body, fieldNames);
    return parsed.requestId === undefined ? { fields, form } : { fields, form, requestId: parsed.requestId };
  }
  const message =
    error instanceof Error && error.message ? error.message : "Something went wrong; please try again";
  return { fields: {}, form: [message] };
}

/**
 * Checks the fields a form cannot send empty, before anything is sent: each empty one gets its message
 * (`{email: "Enter your email address"}`), inline. Whitespace alone counts as empty.
 */
export function requiredFieldErrors(
  values: Readonly<Record<string, string | undefined>>,
  required: Readonly<Record<string, string>>,
): FormErrors {
  const fields: Record<string, string> = {};
  for (const [name, message] of Object.entries(required)) {
    if ((values[name] ?? "").trim() === "") fields[name] = message;
  }
  return { fields, form: [] };
}

export type FormStatus = "idle" | "submitting" | "succeeded" | "failed";

export interface FormState {
  status: FormStatus;
  errors: FormErrors;
}

export type FormAction =
  | { type: "submit" }
  | { type: "succeed" }
  | { type: "fail"; errors: FormErrors }
  /** The person changed a field: its inline error goes (it may be fixed); the others stay. */
  | { type: "edit"; field: string };

export const INITIAL_FORM_STATE: FormState = { status: "idle", errors: NO_FORM_ERRORS };

export function formReducer(state: FormState, action: FormAction): FormState {
  switch (action.type) {
    case "submit":
      // Errors stay visible while the new attempt runs; they are replaced by its outcome.
      return { ...state, status: "submitting" };
    case "succeed":
      return { status: "succeeded", errors: NO_FORM_ERRORS };
    case "fail":
      return { status: "failed", errors: action.errors };
    case "edit": {
      if (!(action.field in state.errors.fields)) return state;
      const { [action.field]: _fixed, ...fields } = state.errors.fields;
      return { ...state, errors: { ...state.errors, fields } };
    }
  }
}
