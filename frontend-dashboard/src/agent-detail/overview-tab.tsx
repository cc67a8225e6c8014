"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function OverviewTab() {
  return <h1>Overview</h1>;
}
