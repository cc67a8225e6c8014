"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function AuditSection() {
  return <h1>Audit</h1>;
}
