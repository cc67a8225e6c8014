"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function MembersSection() {
  return <h1>Members</h1>;
}
