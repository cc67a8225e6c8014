"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function TerminalTab() {
  return <h1>Terminal</h1>;
}
