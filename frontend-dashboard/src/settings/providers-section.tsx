"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function ProvidersSection() {
  return <h1>Providers</h1>;
}
