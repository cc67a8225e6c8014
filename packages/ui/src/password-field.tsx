"use client";
import { type ChangeEvent, type InputHTMLAttributes, type ReactNode, useId, useState } from "react";
import { cx } from "./class-names.js";
import { describedBy, FieldError, FieldLabel, isShown } from "./field.js";
import { checkPassword, type PasswordRuleState, passwordRulesSummary } from "./password-rules.js";

export interface PasswordFieldProps
  extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "name" | "type" | "value" | "defaultValue"> {
  label: ReactNode;
  name: string;
  id?: string;
  hint?: ReactNode;
  error?: ReactNode;
  /** A new password (signup, claim, reset): the API's rules are listed and ticked off as it is typed. */
  showRules?: boolean;
  /** The starting value (tests render a typed state with it). */
  initialValue?: string;
  /** Starts revealed (tests); the person toggles it with the button. */
  initiallyVisible?: boolean;
}

const RULE_MARK: Record<PasswordRuleState, string> = { met: "✓", unmet: "✗", pending: "•" };
const RULE_WORD: Record<PasswordRuleState, string> = {
  met: "Met",
  unmet: "Not met",
  pending: "Not checked yet",
};

/**
 * A password input with a show/hide toggle and, for a new password, the API's rules shown as a
 * checklist that follows the typing. The input is described by the hint, the rules and the error;
 * a polite live region says which rules are still unmet after each change.
 */
export function PasswordField({
  label,
  name,
  id,
  hint,
  error,
  showRules = false,
  initialValue = "",
  initiallyVisible = false,
  required,
  className,
  onChange,
  autoComplete,
  ...input
}: PasswordFieldProps) {
  const generated = useId();
  const inputId = id ?? `field-${generated}`;
  const [value, setValue] = useState(initialValue);
  const [visible, setVisible] = useState(initiallyVisible);
  const hasHint = isShown(hint);
  const hasError = isShown(error);
  const rules = showRules ? checkPassword(value) : [];
  const rulesId = `${inputId}-rules`;
  const change = (event: ChangeEvent<HTMLInputElement>) => {
    setValue(event.currentTarget.value);
    onChange?.(event);
  };
  return (
    <div className={cx("nora-field", hasError && "nora-field--invalid", className)}>
      <FieldLabel htmlFor={inputId} required={required}>
        {label}
      </FieldLabel>
      <div className="nora-password">
        <input
          {...input}
          id={inputId}
          name={name}
          type={visible ? "text" : "password"}
          value={value}
          onChange={change}
          required={required}
          autoComplete={autoComplete ?? (showRules ? "new-password" : "current-password")}
          autoCapitalize="off"
          spellCheck={false}
          className="nora-input"
          aria-invalid={hasError || undefined}
          aria-describedby={describedBy(inputId, hasHint, hasError, showRules ? [rulesId] : [])}
        />
        <button
          type="button"
          className="nora-password-toggle"
          aria-controls={inputId}
          aria-pressed={visible}
          onClick={() => setVisible((shown) => !shown)}
        >
          {visible ? "Hide" : "Show"}
          <span className="nora-visually-hidden"> password</span>
        </button>
      </div>
      {hasHint ? (
        <p id={`${inputId}-hint`} className="nora-field-hint">
          {hint}
        </p>
      ) : null}
      {showRules ? (
        <>
          <ul id={rulesId} className="nora-password-rules" aria-label="Password rules">
            {rules.map((rule) => (
              <li key={rule.id} className={`nora-password-rule nora-password-rule--${rule.state}`}>
                <span className="nora-password-rule-mark" aria-hidden="true">
                  {RULE_MARK[rule.state]}
                </span>
                <span className="nora-visually-hidden">{RULE_WORD[rule.state]}: </span>
                {rule.label}
              </li>
            ))}
          </ul>
          <p className="nora-visually-hidden" aria-live="polite">
            {passwordRulesSummary(rules)}
          </p>
        </>
      ) : null}
      {hasError ? <FieldError id={`${inputId}-error`}>{error}</FieldError> : null}
    </div>
  );
}
