"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function FilesTab() {
  return <h1>Files</h1>;
}
