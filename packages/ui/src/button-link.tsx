import type { AnchorHTMLAttributes } from "react";
import type { ButtonSize, ButtonVariant } from "./button.js";
import { cx } from "./class-names.js";

export interface ButtonLinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  href: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
}

/** A navigation that looks like a button (a call to action, an OAuth sign-in): still a link to AT. */
export function ButtonLink({
  variant = "primary",
  size = "md",
  className,
  children,
  ...rest
}: ButtonLinkProps) {
  return (
    <a {...rest} className={cx("nora-button", `nora-button--${variant}`, `nora-button--${size}`, className)}>
      <span className="nora-button-label">{children}</span>
    </a>
  );
}
