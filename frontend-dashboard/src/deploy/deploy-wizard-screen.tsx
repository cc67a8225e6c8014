"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function DeployWizardScreen() {
  return <h1>Deploy an agent</h1>;
}
