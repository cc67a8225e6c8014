import { type ReactNode, useId } from "react";
import { cx } from "./class-names.js";
import { FieldError, isShown } from "./field.js";

export interface Choice {
  value: string;
  label: ReactNode;
  description?: ReactNode;
  /** A maturity or other tag shown beside the label ("experimental"). */
  tag?: ReactNode;
  /** Why it cannot be chosen here; set, the card is shown disabled with this reason. */
  unavailableReason?: string | null;
}

export interface ChoiceCardsProps {
  legend: ReactNode;
  name: string;
  choices: readonly Choice[];
  value: string | undefined;
  onChange: (value: string) => void;
  error?: ReactNode;
  className?: string;
}

/**
 * One choice among cards: native radios in a fieldset (arrow keys move, screen readers announce the
 * group), an unavailable card disabled with its reason written out and tied to it by aria-describedby.
 */
export function ChoiceCards({ legend, name, choices, value, onChange, error, className }: ChoiceCardsProps) {
  const base = useId();
  const hasError = isShown(error);
  return (
    <fieldset className={cx("nora-choices", className)} aria-invalid={hasError || undefined}>
      <legend className="nora-field-label">{legend}</legend>
      <div className="nora-choice-grid">
        {choices.map((choice) => {
          const id = `${base}-${choice.value}`;
          const unavailable = Boolean(choice.unavailableReason);
          const describedBy = [
            choice.description ? `${id}-description` : undefined,
            unavailable ? `${id}-reason` : undefined,
          ]
            .filter(Boolean)
            .join(" ");
          return (
            <label
              key={choice.value}
              htmlFor={id}
              className={cx(
                "nora-choice",
                value === choice.value && "nora-choice--checked",
                unavailable && "nora-choice--unavailable",
              )}
            >
              <input
                type="radio"
                id={id}
                name={name}
                value={choice.value}
                checked={value === choice.value}
                disabled={unavailable}
                aria-describedby={describedBy || undefined}
                onChange={() => onChange(choice.value)}
              />
              <span className="nora-choice-body">
                <span className="nora-choice-label">
                  {choice.label}
                  {choice.tag ? <span className="nora-choice-tag">{choice.tag}</span> : null}
                </span>
                {choice.description ? (
                  <span id={`${id}-description`} className="nora-choice-description">
                    {choice.description}
                  </span>
                ) : null}
                {unavailable ? (
                  <span id={`${id}-reason`} className="nora-choice-reason">
                    Unavailable: {choice.unavailableReason}
                  </span>
                ) : null}
              </span>
            </label>
          );
        })}
      </div>
      {hasError ? <FieldError id={`${base}-error`}>{error}</FieldError> : null}
    </fieldset>
  );
}
