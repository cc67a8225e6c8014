import type { ReactNode } from "react";
import { cx } from "./class-names.js";

export type NoticeTone = "info" | "success" | "warning" | "danger";

export interface NoticeProps {
  tone?: NoticeTone;
  title: ReactNode;
  children?: ReactNode;
  /**
   * `status` when the notice appears as the outcome of an action (announced politely); none for a
   * notice that is part of the page from the start.
   */
  role?: "status";
  className?: string;
}

const TONE_WORD: Record<NoticeTone, string> = {
  info: "Note",
  success: "Done",
  warning: "Warning",
  danger: "Problem",
};
const TONE_ICON: Record<NoticeTone, string> = { info: "i", success: "✓", warning: "!", danger: "!" };

/** A block of information in a tone: an icon and a word besides the colour, so colour is never alone. */
export function Notice({ tone = "info", title, children, role, className }: NoticeProps) {
  return (
    <div className={cx("nora-notice", `nora-notice--${tone}`, className)} role={role}>
      <span className="nora-notice-icon" aria-hidden="true">
        {TONE_ICON[tone]}
      </span>
      <div className="nora-notice-content">
        <p className="nora-notice-title">
          <span className="nora-visually-hidden">{TONE_WORD[tone]}: </span>
          {title}
        </p>
        {children === undefined ? null : <div className="nora-notice-body">{children}</div>}
      </div>
    </div>
  );
}
