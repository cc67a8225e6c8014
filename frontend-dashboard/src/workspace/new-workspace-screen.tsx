"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function NewWorkspaceScreen() {
  return <h1>New workspace</h1>;
}
