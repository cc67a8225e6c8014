"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function ApiKeysSection() {
  return <h1>Api-keys</h1>;
}
