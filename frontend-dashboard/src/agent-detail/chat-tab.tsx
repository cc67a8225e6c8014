"use client";

import type { CallOutput } from "@nora/api-client";
import { agentChatRoutes } from "@nora/api-contract";
import { Button } from "@nora/ui";
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api";
import { atLeast } from "../roles";
import { ErrorNotice, type ShownError, shownError } from "../streams/error-notice";
import { useAgentContext } from "./agent-context";
import { ChatMessages, type ShownMessage } from "./chat/chat-messages";
import { ChatSessions } from "./chat/chat-sessions";
import { type ChatEvent, streamChatTurn } from "./chat/chat-stream";

type Session = CallOutput<typeof agentChatRoutes.sessions>["sessions"][number];
const MESSAGE_MAX = 32_000;

/** Chat with the agent: its sessions, a session's history, and a turn streamed as the agent writes it. */
export function ChatTab() {
  const { agent, role } = useAgentContext();
  const maySend = atLeast(role, "editor");
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [messages, setMessages] = useState<ShownMessage[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<ShownError | null>(null);
  // Kept apart from the turn's error: a list refresh after a failed send must not hide why it failed.
  const [listError, setListError] = useState<ShownError | null>(null);
  const [sending, setSending] = useState(false);
  const turn = useRef<AbortController | null>(null);

  const loadSessions = useCallback(async () => {
    try {
      setSessions((await api.call(agentChatRoutes.sessions, { params: { agentId: agent.id } })).sessions);
      setListError(null);
    } catch (e) {
      setSessions([]);
      setListError(shownError("Could not load the chat sessions", e));
    }
  }, [agent.id]);
  useEffect(() => {
    void loadSessions();
    return () => turn.current?.abort();
  }, [loadSessions]);

  const openSession = async (id: string) => {
    turn.current?.abort();
    setSessionId(id);
    setMessages([]);
    setError(null);
    try {
      const history = await api.call(agentChatRoutes.messages, {
        params: { agentId: agent.id, sessionId: id },
      });
      setTruncated(history.truncated);
      setMessages(history.messages.map((m, i) => ({ key: `h${i}`, role: m.role, text: m.text })));
    } catch (e) {
      setError(shownError("Could not load this session's messages", e));
    }
  };
  const newSession = () => {
    turn.current?.abort();
    setSessionId(null);
    setMessages([]);
    setTruncated(false);
    setError(null);
  };

  const send = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const message = draft;
    if (!maySend || sending || message.trim() === "") return;
    const controller = new AbortController();
    turn.current = controller;
    const replyKey = `r${Date.now()}`;
    setError(null);
    setSending(true);
    setDraft("");
    setMessages((m) => [
      ...m,
      { key: `u${Date.now()}`, role: "user", text: message },
      { key: replyKey, role: "assistant", text: "", streaming: true },
    ]);
    const patchReply = (patch: (m: ShownMessage) => ShownMessage) =>
      setMessages((list) => list.map((m) => (m.key === replyKey ? patch(m) : m)));
    const onEvent = (e: ChatEvent) => {
      if (e.type === "session") setSessionId(e.sessionId);
      else if (e.type === "delta") patchReply((m) => ({ ...m, text: m.text + e.text }));
      else if (e.type === "error")
        setError({
          title: "The agent's reply failed",
          message: e.message,
          code: e.error,
          requestId: e.requestId,
        });
    };
    try {
      await streamChatTurn(
        agent.id,
        sessionId ? { message, sessionId } : { message },
        onEvent,
        controller.signal,
      );
    } catch (e) {
      if (controller.signal.aborted) {
        patchReply((m) => ({ ...m, text: `${m.text}\n\n*(stopped)*` }));
      } else {
        setError(shownError("Could not send the message", e));
        setDraft(message);
      }
    } finally {
      patchReply((m) => ({ ...m, streaming: false }));
      setSending(false);
      if (turn.current === controller) turn.current = null;
      void loadSessions();
    }
  };

  return (
    <section className="nora-live-tab nora-chat" aria-labelledby="chat-heading">
      <h2 id="chat-heading">Chat</h2>
      <div className="nora-chat-layout">
        <ChatSessions
          sessions={sessions}
          current={sessionId}
          onSelect={(id) => void openSession(id)}
          onNew={newSession}
        />
        <div className="nora-chat-main">
          {truncated ? <p className="nora-live-meta">Older messages or long texts are left out.</p> : null}
          {messages.length === 0 ? (
            <p className="nora-live-empty">
              {sessionId ? "This session has no message." : "A new session starts with your first message."}
            </p>
          ) : (
            <ChatMessages messages={messages} />
          )}
          {listError ? <ErrorNotice error={listError} /> : null}
          {error ? <ErrorNotice error={error} /> : null}
          <form className="nora-chat-composer" onSubmit={send} noValidate>
            <label htmlFor="chat-message">Message</label>
            <textarea
              id="chat-message"
              value={draft}
              maxLength={MESSAGE_MAX}
              rows={3}
              disabled={!maySend}
              aria-describedby={maySend ? undefined : "chat-send-reason"}
              onChange={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
              }}
            />
            <div className="nora-chat-actions">
              {maySend ? (
                <span className="nora-live-meta">Ctrl+Enter sends</span>
              ) : (
                <span id="chat-send-reason" className="nora-live-meta">
                  Sending needs the editor role: a turn runs the agent with its tools. You can read the
                  history.
                </span>
              )}
              {sending ? (
                <Button variant="secondary" onClick={() => turn.current?.abort()}>
                  Stop
                </Button>
              ) : null}
              <Button type="submit" disabled={!maySend || draft.trim() === ""} loading={sending}>
                Send
              </Button>
            </div>
          </form>
        </div>
      </div>
    </section>
  );
}
