import { type ReactNode, type TextareaHTMLAttributes, useId } from "react";
import { cx } from "./class-names.js";
import { describedBy, FieldError, FieldLabel, isShown } from "./field.js";

export interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id" | "name"> {
  label: ReactNode;
  name: string;
  id?: string;
  hint?: ReactNode;
  error?: ReactNode;
}

/** A labelled multi-line input (a pasted file, say) with its hint and inline error, as a Field. */
export function TextAreaField({
  label,
  name,
  id,
  hint,
  error,
  required,
  className,
  ...area
}: TextAreaFieldProps) {
  const generated = useId();
  const areaId = id ?? `textarea-${generated}`;
  const hasHint = isShown(hint);
  const hasError = isShown(error);
  return (
    <div className={cx("nora-field", hasError && "nora-field--invalid", className)}>
      <FieldLabel htmlFor={areaId} required={required}>
        {label}
      </FieldLabel>
      <textarea
        {...area}
        id={areaId}
        name={name}
        required={required}
        className="nora-input nora-textarea"
        aria-invalid={hasError || undefined}
        aria-describedby={describedBy(areaId, hasHint, hasError)}
      />
      {hasHint ? (
        <p id={`${areaId}-hint`} className="nora-field-hint">
          {hint}
        </p>
      ) : null}
      {hasError ? <FieldError id={`${areaId}-error`}>{error}</FieldError> : null}
    </div>
  );
}
