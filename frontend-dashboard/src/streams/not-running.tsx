import { Notice } from "@nora/ui";

/** The statuses in which the runtime answers the streams (the API refuses others with 409). */
export function isReachable(status: string): boolean {
  return status === "running" || status === "warning";
}

export function NotRunningNotice({ status, what }: { status: string; what: string }) {
  return (
    <Notice tone="info" title={`The agent is ${status}`}>
      {what} needs the agent running. Start or redeploy it from the Overview tab.
    </Notice>
  );
}
