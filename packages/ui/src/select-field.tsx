import { type ReactNode, type SelectHTMLAttributes, useId } from "react";
import { cx } from "./class-names.js";
import { describedBy, FieldError, FieldLabel, isShown } from "./field.js";

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, "id" | "name"> {
  label: ReactNode;
  name: string;
  options: readonly SelectOption[];
  id?: string;
  hint?: ReactNode;
  error?: ReactNode;
}

/** A labelled native <select> with its hint and inline error wired as a Field's are. */
export function SelectField({
  label,
  name,
  options,
  id,
  hint,
  error,
  required,
  className,
  ...select
}: SelectFieldProps) {
  const generated = useId();
  const selectId = id ?? `select-${generated}`;
  const hasHint = isShown(hint);
  const hasError = isShown(error);
  return (
    <div className={cx("nora-field", hasError && "nora-field--invalid", className)}>
      <FieldLabel htmlFor={selectId} required={required}>
        {label}
      </FieldLabel>
      <select
        {...select}
        id={selectId}
        name={name}
        required={required}
        className="nora-input nora-select"
        aria-invalid={hasError || undefined}
        aria-describedby={describedBy(selectId, hasHint, hasError)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hasHint ? (
        <p id={`${selectId}-hint`} className="nora-field-hint">
          {hint}
        </p>
      ) : null}
      {hasError ? <FieldError id={`${selectId}-error`}>{error}</FieldError> : null}
    </div>
  );
}
