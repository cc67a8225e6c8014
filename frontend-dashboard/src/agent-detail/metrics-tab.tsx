"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function MetricsTab() {
  return <h1>Metrics</h1>;
}
