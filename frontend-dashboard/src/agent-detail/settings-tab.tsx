"use client";

import { agentLifecycleRoutes, agentRoutes } from "@nora/api-contract";
import { Button, ConfirmDialog, useToast } from "@nora/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorToast } from "../agents/agent-errors";
import { AgentSecrets } from "../agents/agent-secrets";
import {
  ACTION_LABELS,
  actionBlocked,
  LIFECYCLE_ACTIONS,
  type LifecycleAction,
} from "../agents/lifecycle-actions";
import { api } from "../api";
import { paths } from "../paths";
import { atLeast } from "../roles";
import { useAgentContext } from "./agent-context";

const EDITOR_ONLY = "Needs the editor role or above";

/** Lifecycle actions, secret overrides, provider sync and deletion; each disabled with its reason. */
export function SettingsTab() {
  const { agent, workspaceId, role, replace } = useAgentContext();
  const toast = useToast();
  const router = useRouter();
  const [running, setRunning] = useState<string | null>(null);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [keepData, setKeepData] = useState(false);
  const canEdit = atLeast(role, "editor");
  const editBlocked = canEdit ? null : EDITOR_ONLY;

  const act = async (action: LifecycleAction) => {
    setRunning(action);
    try {
      const params = { agentId: agent.id };
      const answer =
        action === "redeploy"
          ? await api.call(agentLifecycleRoutes.redeploy, { params, body: {} })
          : await api.call(agentLifecycleRoutes[action], { params });
      replace(answer.agent);
      toast.show({
        tone: "success",
        title: `${ACTION_LABELS[action]} requested`,
        message: "Follow it on the Overview.",
      });
    } catch (error) {
      toast.show(errorToast(`Could not ${action} the agent`, error));
    } finally {
      setRunning(null);
    }
  };

  const sync = async () => {
    setRunning("sync");
    try {
      const answer = await api.call(agentRoutes.syncProviders, { params: { agentId: agent.id } });
      const skipped = answer.skipped.map((s) => `${s.id.slice(0, 8)}: ${s.reason}`).join(", ");
      toast.show({
        tone: "success",
        title: `${answer.providers.length} provider(s) delivered`,
        ...(skipped ? { message: `Skipped ${skipped}` } : {}),
      });
    } catch (error) {
      toast.show(errorToast("Could not sync the providers", error));
    } finally {
      setRunning(null);
    }
  };

  const remove = async () => {
    setRunning("delete");
    try {
      await api.call(agentLifecycleRoutes.remove, {
        params: { agentId: agent.id },
        query: keepData ? { keepData: "true" } : {},
      });
      toast.show({ tone: "success", title: `Deleting ${agent.name}` });
      router.push(paths.agents(workspaceId));
    } catch (error) {
      toast.show(errorToast("Could not delete the agent", error));
      setRunning(null);
    }
  };

  const syncBlocked = editBlocked ?? (agent.status === "running" ? null : "The agent must be running");
  return (
    <>
      <section className="nora-panel" aria-labelledby="settings-lifecycle">
        <h2 id="settings-lifecycle">Lifecycle</h2>
        <div className="nora-inline-actions">
          {LIFECYCLE_ACTIONS.map((action) => {
            const blocked = actionBlocked(action, agent.status, canEdit);
            return (
              <Button
                key={action}
                variant="secondary"
                loading={running === action}
                disabled={blocked !== null || (running !== null && running !== action)}
                title={blocked ?? undefined}
                aria-describedby={blocked ? `blocked-${action}` : undefined}
                onClick={() => void act(action)}
              >
                {ACTION_LABELS[action]}
              </Button>
            );
          })}
        </div>
        {LIFECYCLE_ACTIONS.map((action) => {
          const blocked = actionBlocked(action, agent.status, canEdit);
          return blocked ? (
            <p key={action} id={`blocked-${action}`} className="nora-muted">
              {ACTION_LABELS[action]}: {blocked}
            </p>
          ) : null;
        })}
      </section>
      <section className="nora-panel" aria-labelledby="settings-secrets">
        <h2 id="settings-secrets">Secret overrides</h2>
        <AgentSecrets agentId={agent.id} editBlocked={editBlocked} />
      </section>
      <section className="nora-panel" aria-labelledby="settings-providers">
        <h2 id="settings-providers">Providers</h2>
        <p className="nora-muted">Push the workspace's current LLM providers to the running agent.</p>
        <Button
          variant="secondary"
          loading={running === "sync"}
          disabled={syncBlocked !== null}
          aria-describedby={syncBlocked ? "blocked-sync" : undefined}
          onClick={() => void sync()}
        >
          Sync providers
        </Button>
        {syncBlocked ? (
          <p id="blocked-sync" className="nora-muted">
            {syncBlocked}
          </p>
        ) : null}
      </section>
      <section className="nora-panel nora-danger-zone" aria-labelledby="settings-delete">
        <h2 id="settings-delete">Delete the agent</h2>
        <p className="nora-muted">Removes the runtime, its networks and (unless kept) its volumes.</p>
        <label className="nora-inline-actions">
          <input
            type="checkbox"
            checked={keepData}
            disabled={!canEdit}
            onChange={(event) => setKeepData(event.currentTarget.checked)}
          />
          Keep the agent's data volumes
        </label>
        <Button
          variant="danger"
          disabled={!canEdit || agent.status === "deleting"}
          aria-describedby={canEdit ? undefined : "blocked-delete"}
          onClick={() => setDeleteOpen(true)}
        >
          Delete agent
        </Button>
        {canEdit ? null : (
          <p id="blocked-delete" className="nora-muted">
            {EDITOR_ONLY}
          </p>
        )}
      </section>
      <ConfirmDialog
        open={deleteOpen}
        onClose={() => setDeleteOpen(false)}
        onConfirm={() => void remove()}
        busy={running === "delete"}
        title={`Delete ${agent.name}?`}
        description={
          keepData ? "The runtime goes; its data volumes stay." : "The runtime and all of its data go."
        }
        confirmationText={agent.name}
        confirmLabel="Delete agent"
      />
    </>
  );
}
