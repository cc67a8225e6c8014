import { renderMarkdown } from "./markdown";

export interface ShownMessage {
  key: string;
  role: "user" | "assistant";
  text: string;
  streaming?: boolean;
}

/** The conversation; the agent's markdown rendered without any raw HTML (markdown.ts). */
export function ChatMessages({ messages }: { messages: readonly ShownMessage[] }) {
  return (
    <ol className="nora-chat-messages" aria-label="Messages">
      {messages.map((m) => (
        <li key={m.key} className={`nora-chat-message nora-chat-message--${m.role}`}>
          <span className="nora-chat-author">{m.role === "user" ? "You" : "Agent"}</span>
          {m.role === "assistant" ? (
            <div
              className="nora-chat-text"
              aria-busy={m.streaming || undefined}
              // biome-ignore lint/security/noDangerouslySetInnerHtml: markdown.ts escapes every raw HTML token and unsafe link
              dangerouslySetInnerHTML={{ __html: renderMarkdown(m.text || (m.streaming ? "…" : "")) }}
            />
          ) : (
            <div className="nora-chat-text nora-chat-text--plain">{m.text}</div>
          )}
        </li>
      ))}
    </ol>
  );
}
