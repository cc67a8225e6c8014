"use client";

import { StatusBadge } from "@nora/ui";
import Link from "next/link";
import { useSelectedLayoutSegment } from "next/navigation";
import { streamStateWords } from "../agents/use-event-stream";
import { AGENT_TABS, paths } from "../paths";
import { useAgentContext } from "./agent-context";

const LABELS: Record<(typeof AGENT_TABS)[number], string> = {
  overview: "Overview",
  logs: "Logs",
  terminal: "Terminal",
  files: "Files",
  metrics: "Metrics",
  chat: "Chat",
  settings: "Settings",
};

/** The agent's name, its live status and its tabs, one address each (a tab can be linked and reloaded). */
export function AgentTabs() {
  const { agent, workspaceId, live } = useAgentContext();
  const segment = useSelectedLayoutSegment();
  return (
    <div className="nora-agent-heading">
      <p className="nora-muted">
        <Link href={paths.agents(workspaceId)}>Agents</Link> / {agent.family} on {agent.target}
      </p>
      <div className="nora-page-heading">
        <h1>{agent.name}</h1>
        <div className="nora-heading-status" aria-live="polite">
          <StatusBadge status={agent.status} />
          {agent.statusReason ? <span className="nora-muted">{agent.statusReason}</span> : null}
          <span className="nora-live">{streamStateWords(live)}</span>
        </div>
      </div>
      <nav aria-label="Agent" className="nora-tabs">
        {AGENT_TABS.map((tab) => (
          <Link
            key={tab}
            href={paths.agent(workspaceId, agent.id, tab)}
            aria-current={segment === tab ? "page" : undefined}
            className="nora-tab"
          >
            {LABELS[tab]}
          </Link>
        ))}
      </nav>
    </div>
  );
}
