"use client";

/** Placeholder of the dashboard skeleton: replaced by the screen itself. */
export function ChatTab() {
  return <h1>Chat</h1>;
}
