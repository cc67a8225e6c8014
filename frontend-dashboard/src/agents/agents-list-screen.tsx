"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function AgentsListScreen() {
  return <h1>Agents</h1>;
}
