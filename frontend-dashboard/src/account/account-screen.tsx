"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function AccountScreen() {
  return <h1>Account</h1>;
}
