"use client";

import type { CallOutput } from "@nora/api-client";
import { agentLifecycleRoutes } from "@nora/api-contract";
import { Notice } from "@nora/ui";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";
import { type StreamedEvent, statusChangeOf, withStatus } from "../agents/status-events";
import { type StreamState, useEventStream } from "../agents/use-event-stream";
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
  /** Whether the agent's event stream is connected (its status then changes live). */
  live: StreamState;
  /** Subscribes to the agent's events as they arrive (the Overview's history follows them). */
  onEvent(listener: (event: StreamedEvent) => void): () => void;
}

const AgentContext = createContext<AgentContextValue | undefined>(undefined);

/** The agent of the current detail page; only inside <AgentProvider>. */
export function useAgentContext(): AgentContextValue {
  const value = useContext(AgentContext);
  if (!value) throw new Error("useAgentContext outside <AgentProvider>");
  return value;
}

/**
 * Loads one agent for the tabs below it and follows its event stream: a status change updates the
 * agent at once; any other event of a deployment asks the API again (revision, spec).
 */
export function AgentProvider({ agentId, children }: { agentId: string; children: ReactNode }) {
  const workspace = useCurrentWorkspace();
  const [agent, setAgent] = useState<Agent | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  const listeners = useRef(new Set<(event: StreamedEvent) => void>());
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

  const live = useEventStream(`/api/agents/${agentId}/events`, (event) => {
    const change = statusChangeOf(event);
    if (change) setAgent((current) => current && withStatus(current, change));
    if (event.type.startsWith("deployment.")) void reload();
    for (const listener of listeners.current) listener(event);
  });
  const onEvent = useCallback((listener: (event: StreamedEvent) => void) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

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
      value={{
        agent,
        workspaceId: workspace.id,
        role: workspace.role,
        reload,
        replace: setAgent,
        live,
        onEvent,
      }}
    >
      {children}
    </AgentContext.Provider>
  );
}
