import { presentAgentStatus } from "./agent-status.js";
import { cx } from "./class-names.js";

export interface StatusBadgeProps {
  /** An agent status; one this build does not know is shown as its own text. */
  status: string;
  className?: string;
}

/** An agent's status as text plus colour, never colour alone. */
export function StatusBadge({ status, className }: StatusBadgeProps) {
  const { label, tone, busy } = presentAgentStatus(status);
  return (
    <span
      className={cx("nora-badge", `nora-badge--${tone}`, busy && "nora-badge--busy", className)}
      data-status={status}
    >
      <span className="nora-badge-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
