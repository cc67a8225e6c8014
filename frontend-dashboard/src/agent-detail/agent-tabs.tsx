"use client";

import Link from "next/link";
import { useSelectedLayoutSegment } from "next/navigation";
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

/** The agent's name and its tabs, one address each (a tab can be linked and reloaded). */
export function AgentTabs() {
  const { agent, workspaceId } = useAgentContext();
  const segment = useSelectedLayoutSegment();
  return (
    <div className="nora-agent-heading">
      <h1>{agent.name}</h1>
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
