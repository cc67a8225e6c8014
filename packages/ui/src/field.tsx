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

/** The ids a field's input is described by: its hint, then its error. */
export function describedBy(id: string, hasHint: boolean, hasError: boolean): string | undefined {
  const ids = [hasHint ? `${id}-hint` : undefined, hasError ? `${id}-error` : undefined].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

/** A labelled input with its hint and inline error wired for assistive technology. */
export function Field({ label, name, id, hint, error, required, className, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? `field-${generated}`;
  const hasHint = hint !== undefined && hint !== null && hint !== false;
  const hasError = error !== undefined && error !== null && error !== false && error !== "";
  return (
    <div className={cx("nora-field", hasError && "nora-field--invalid", className)}>
      <label className="nora-field-label" htmlFor={inputId}>
        {label}
        {required ? (
          <span className="nora-field-required" aria-hidden="true">
            {" "}
            *
          </span>
        ) : null}
      </label>
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
      {hasError ? (
        <p id={`${inputId}-error`} className="nora-field-error">
          <span className="nora-field-error-icon" aria-hidden="true">
            !
          </span>
          <span className="nora-visually-hidden">Error: </span>
          {error}
        </p>
      ) : null}
    </div>
  );
}
