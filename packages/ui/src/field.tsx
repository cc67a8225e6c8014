import { type InputHTMLAttributes, type ReactNode, useId } from "react";
import { cx } from "./class-names.js";

export interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "name"> {
  label: ReactNode;
  name: string;
  /** Defaults to a generated id, unique on the page. */
  id?: string;
  hint?: ReactNode;
  /** The inline error, e.g. `fieldErrorsFromApiError(body).fields[name]`. */
  error?: ReactNode;
}

/** The ids a field's input is described by: its hint, then what else it shows (rules), then its error. */
export function describedBy(
  id: string,
  hasHint: boolean,
  hasError: boolean,
  extra: readonly string[] = [],
): string | undefined {
  const ids = [hasHint ? `${id}-hint` : undefined, ...extra, hasError ? `${id}-error` : undefined].filter(
    Boolean,
  );
  return ids.length > 0 ? ids.join(" ") : undefined;
}

/** Whether a hint or error prop holds something to show. */
export const isShown = (node: ReactNode): boolean =>
  node !== undefined && node !== null && node !== false && node !== "";

/** A field's inline error, announced as an error (the icon is decoration). */
export function FieldError({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="nora-field-error">
      <span className="nora-field-error-icon" aria-hidden="true">
        !
      </span>
      <span className="nora-visually-hidden">Error: </span>
      {children}
    </p>
  );
}

/** A field's label, with the required marker hidden from assistive technology (the input says it). */
export function FieldLabel({
  htmlFor,
  required,
  children,
}: {
  htmlFor: string;
  required?: boolean | undefined;
  children: ReactNode;
}) {
  return (
    <label className="nora-field-label" htmlFor={htmlFor}>
      {children}
      {required ? (
        <span className="nora-field-required" aria-hidden="true">
          {" "}
          *
        </span>
      ) : null}
    </label>
  );
}

/** A labelled input with its hint and inline error wired for assistive technology. */
export function Field({ label, name, id, hint, error, required, className, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? `field-${generated}`;
  const hasHint = isShown(hint);
  const hasError = isShown(error);
  return (
    <div className={cx("nora-field", hasError && "nora-field--invalid", className)}>
      <FieldLabel htmlFor={inputId} required={required}>
        {label}
      </FieldLabel>
      <input
        {...input}
        id={inputId}
        name={name}
        required={required}
        className="nora-input"
        aria-invalid={hasError || undefined}
        aria-describedby={describedBy(inputId, hasHint, hasError)}
      />
      {hasHint ? (
        <p id={`${inputId}-hint`} className="nora-field-hint">
          {hint}
        </p>
      ) : null}
      {hasError ? <FieldError id={`${inputId}-error`}>{error}</FieldError> : null}
    </div>
  );
}
