"use client";

import type { CallOutput } from "@nora/api-client";
import { agentLifecycleRoutes } from "@nora/api-contract";
import { Notice } from "@nora/ui";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { api } from "../api";
import type { WorkspaceRole } from "../roles";
import { useCurrentWorkspace } from "../workspaces";

export type Agent = CallOutput<typeof agentLifecycleRoutes.get>["agent"];

export interface AgentContextValue {
  agent: Agent;
  workspaceId: string;
  /** The caller's role in the agent's workspace (the API judges every call regardless). */
  role: WorkspaceRole;
  /** Asks the API for the agent again (after an action). */
  reload(): Promise<void>;
  /** Takes a newer copy of the agent (from an action's answer or the event stream). */
  replace(agent: Agent): void;
}

const AgentContext = createContext<AgentContextValue | undefined>(undefined);

/** The agent of the current detail page; only inside <AgentProvider>. */
export function useAgentContext(): AgentContextValue {
  const value = useContext(AgentContext);
  if (!value) throw new Error("useAgentContext outside <AgentProvider>");
  return value;
}

/** Loads one agent for the tabs below it; they render once it is there. */
export function AgentProvider({ agentId, children }: { agentId: string; children: ReactNode }) {
  const workspace = useCurrentWorkspace();
  const [agent, setAgent] = useState<Agent | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  const reload = useCallback(async () => {
    try {
      setAgent((await api.call(agentLifecycleRoutes.get, { params: { agentId } })).agent);
      setFailure(undefined);
    } catch (error) {
      setFailure(error);
    }
  }, [agentId]);
  useEffect(() => {
    void reload();
  }, [reload]);

  if (failure) {
    return (
      <Notice tone="danger" title="This agent could not be loaded">
        {failure instanceof Error ? failure.message : null}
      </Notice>
    );
  }
  if (!agent || !workspace) return <p className="nora-loading">Loading the agent…</p>;
  return (
    <AgentContext.Provider
      value={{ agent, workspaceId: workspace.id, role: workspace.role, reload, replace: setAgent }}
    >
      {children}
    </AgentContext.Provider>
  );
}
