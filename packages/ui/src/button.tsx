"use client";
// A client component for one reason: a disabled or loading button keeps its focus (aria-disabled
// instead of the native attribute, so focus is not lost mid-submit), which needs a click guard.
import type { ButtonHTMLAttributes, MouseEvent, MouseEventHandler } from "react";
import { cx } from "./class-names.js";

export type ButtonVariant = "primary" | "secondary" | "danger";
export type ButtonSize = "sm" | "md" | "lg";

export interface ButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, "disabled"> {
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** Work in progress: `aria-busy`, a spinner, and activation blocked until it ends. */
  loading?: boolean;
  /** Not available: `aria-disabled`, still focusable and announced, activation blocked. */
  disabled?: boolean;
}

/** Wraps a click handler so a blocked button neither runs it nor submits its form. */
export function guardActivation(
  blocked: boolean,
  onClick: MouseEventHandler<HTMLButtonElement> | undefined,
): MouseEventHandler<HTMLButtonElement> {
  return (event: MouseEvent<HTMLButtonElement>) => {
    if (blocked) {
      event.preventDefault();
      return;
    }
    onClick?.(event);
  };
}

export function Button({
  variant = "primary",
  size = "md",
  loading = false,
  disabled = false,
  type = "button",
  className,
  onClick,
  children,
  ...rest
}: ButtonProps) {
  const blocked = loading || disabled;
  return (
    <button
      {...rest}
      type={type}
      className={cx("nora-button", `nora-button--${variant}`, `nora-button--${size}`, className)}
      aria-disabled={blocked || undefined}
      aria-busy={loading || undefined}
      onClick={guardActivation(blocked, onClick)}
    >
      {loading ? <span className="nora-spinner" aria-hidden="true" /> : null}
      <span className="nora-button-label">{children}</span>
    </button>
  );
}
