"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function AcceptInvitationScreen() {
  return <h1>Invitation</h1>;
}
