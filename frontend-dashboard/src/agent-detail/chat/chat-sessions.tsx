import type { CallOutput } from "@nora/api-client";
import type { agentChatRoutes } from "@nora/api-contract";
import { Button } from "@nora/ui";

type Session = CallOutput<typeof agentChatRoutes.sessions>["sessions"][number];

/** The sessions started through Nora, newest first; choosing one loads its history. */
export function ChatSessions({
  sessions,
  current,
  onSelect,
  onNew,
}: {
  sessions: readonly Session[] | null;
  current: string | null;
  onSelect(id: string): void;
  onNew(): void;
}) {
  return (
    <nav className="nora-chat-sessions" aria-label="Chat sessions">
      <Button size="sm" onClick={onNew}>
        New session
      </Button>
      {sessions === null ? (
        <p className="nora-loading">Loading sessions…</p>
      ) : sessions.length === 0 ? (
        <p className="nora-live-empty">No session yet.</p>
      ) : (
        <ul>
          {sessions.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                className="nora-chat-session"
                aria-current={s.id === current ? "true" : undefined}
                onClick={() => onSelect(s.id)}
              >
                <span className="nora-chat-session-title">{s.title ?? s.preview ?? "Untitled session"}</span>
                <span className="nora-chat-session-meta">
                  {s.updatedAt ? new Date(s.updatedAt).toLocaleString() : ""}
                  {s.messageCount !== null ? ` · ${s.messageCount} messages` : ""}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
