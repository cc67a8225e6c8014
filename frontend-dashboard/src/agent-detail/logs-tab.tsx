"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function LogsTab() {
  return <h1>Logs</h1>;
}
