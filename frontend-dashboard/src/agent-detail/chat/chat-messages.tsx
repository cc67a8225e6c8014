"use client";

import { useEffect, useState } from "react";

export interface ShownMessage {
  key: string;
  role: "user" | "assistant";
  text: string;
  streaming?: boolean;
}

type Render = (source: string) => string;

/**
 * The markdown renderer, loaded only once the agent has said something (it is most of this tab's
 * script): until then, and for the user's own words, text is shown as typed.
 */
function useMarkdown(needed: boolean): Render | null {
  const [render, setRender] = useState<Render | null>(null);
  useEffect(() => {
    if (!needed || render) return;
    let live = true;
    void import("./markdown").then((m) => {
      if (live) setRender(() => m.renderMarkdown);
    });
    return () => {
      live = false;
    };
  }, [needed, render]);
  return render;
}

/** The conversation; the agent's markdown rendered without any raw HTML (markdown.ts). */
export function ChatMessages({ messages }: { messages: readonly ShownMessage[] }) {
  const render = useMarkdown(messages.some((m) => m.role === "assistant"));
  return (
    <ol className="nora-chat-messages" aria-label="Messages">
      {messages.map((m) => (
        <li key={m.key} className={`nora-chat-message nora-chat-message--${m.role}`}>
          <span className="nora-chat-author">{m.role === "user" ? "You" : "Agent"}</span>
          {m.role === "assistant" && render ? (
            <div
              className="nora-chat-text"
              aria-busy={m.streaming || undefined}
              // biome-ignore lint/security/noDangerouslySetInnerHtml: markdown.ts escapes every raw HTML token and unsafe link
              dangerouslySetInnerHTML={{ __html: render(m.text || (m.streaming ? "…" : "")) }}
            />
          ) : (
            <div className="nora-chat-text nora-chat-text--plain" aria-busy={m.streaming || undefined}>
              {m.text || (m.streaming ? "…" : "")}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}
