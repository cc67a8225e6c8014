"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function SettingsTab() {
  return <h1>Settings</h1>;
}
