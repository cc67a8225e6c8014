"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function IntegrationsSection() {
  return <h1>Integrations</h1>;
}
