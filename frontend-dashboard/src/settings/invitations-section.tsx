"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function InvitationsSection() {
  return <h1>Invitations</h1>;
}
