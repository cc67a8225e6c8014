"use client";

import { agentLifecycleRoutes } from "@nora/api-contract";
import { ConfirmDialog, StatusBadge, useLoaded, useToast } from "@nora/ui";
import { useCallback, useEffect, useState } from "react";
import { errorToast } from "../agents/agent-errors";
import {
  type Deployment,
  DeploymentsTable,
  type Revision,
  RevisionsTable,
} from "../agents/deployment-history";
import { formatDateTime, formatMemory } from "../agents/format";
import { api } from "../api";
import { catalogStore } from "../deploy/catalog";
import { atLeast } from "../roles";
import { useAgentContext } from "./agent-context";

/** Where the runtime's own web UI is served through the gateway proxy, by the catalog's `webUi`. */
export function controlUiPath(agentId: string, webUi: "gateway" | "dashboard" | undefined): string | null {
  if (webUi === "gateway") return `/api/agents/${agentId}/gateway/ui/`;
  if (webUi === "dashboard") return `/api/agents/${agentId}/dashboard/`;
  return null;
}

/** The agent at a glance: live status, spec, image, Control UI, deployments and revisions with rollback. */
export function OverviewTab() {
  const { agent, role, replace, onEvent } = useAgentContext();
  const toast = useToast();
  const catalog = useLoaded(catalogStore);
  const [deployments, setDeployments] = useState<readonly Deployment[]>([]);
  const [revisions, setRevisions] = useState<readonly Revision[]>([]);
  const [loading, setLoading] = useState(true);
  const [rollbackTo, setRollbackTo] = useState<Revision | null>(null);
  const [rollingBack, setRollingBack] = useState(false);

  const load = useCallback(async () => {
    try {
      const params = { agentId: agent.id };
      const [d, r] = await Promise.all([
        api.call(agentLifecycleRoutes.deployments, { params, query: { limit: "20" } }),
        api.call(agentLifecycleRoutes.revisions, { params, query: { limit: "20" } }),
      ]);
      setDeployments(d.deployments);
      setRevisions(r.revisions);
    } catch (error) {
      toast.show(errorToast("Could not load the deployment history", error));
    } finally {
      setLoading(false);
    }
  }, [agent.id, toast]);
  useEffect(() => {
    void load();
  }, [load]);
  // Every event of the agent may be a deployment moving: read the history again.
  useEffect(() => onEvent(() => void load()), [onEvent, load]);

  const rollback = async () => {
    if (!rollbackTo) return;
    setRollingBack(true);
    try {
      const answer = await api.call(agentLifecycleRoutes.rollback, {
        params: { agentId: agent.id },
        body: { revision: rollbackTo.number },
      });
      replace(answer.agent);
      toast.show({ tone: "success", title: `Rolling back to revision #${rollbackTo.number}` });
      setRollbackTo(null);
      void load();
    } catch (error) {
      toast.show(errorToast("Could not roll back", error));
    } finally {
      setRollingBack(false);
    }
  };

  const family = catalog.value?.families.find((f) => f.name === agent.family);
  const uiPath = controlUiPath(agent.id, family?.webUi);
  const current = revisions.find((r) => r.number === agent.revision);
  const canEdit = atLeast(role, "editor");

  return (
    <>
      <div className="nora-grid-2">
        <section className="nora-panel" aria-labelledby="overview-status">
          <h2 id="overview-status">Status</h2>
          <dl className="nora-review">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={agent.status} />
            </dd>
            <dt>Reason</dt>
            <dd>{agent.statusReason ?? "—"}</dd>
            <dt>Since</dt>
            <dd>{formatDateTime(agent.statusChangedAt)}</dd>
            <dt>Desired</dt>
            <dd>{agent.desiredState}</dd>
            <dt>Revision</dt>
            <dd>{agent.revision === null ? "—" : `#${agent.revision}`}</dd>
            <dt>Control UI</dt>
            <dd>
              {uiPath && agent.status === "running" ? (
                <a href={uiPath} target="_blank" rel="noreferrer">
                  Open the {family?.webUi === "dashboard" ? "dashboard" : "Control UI"}
                </a>
              ) : uiPath ? (
                <span className="nora-muted">available once the agent is running</span>
              ) : (
                <span className="nora-muted">this runtime has none</span>
              )}
            </dd>
          </dl>
        </section>
        <section className="nora-panel" aria-labelledby="overview-spec">
          <h2 id="overview-spec">Runtime</h2>
          <dl className="nora-review">
            <dt>Family</dt>
            <dd>{agent.family}</dd>
            <dt>Target</dt>
            <dd>{agent.target}</dd>
            <dt>Profile</dt>
            <dd>{agent.profile}</dd>
            <dt>Resources</dt>
            <dd>
              {agent.vcpu} vCPU · {formatMemory(agent.memoryMb)} · {agent.diskGb} GB disk
            </dd>
            <dt>Image</dt>
            <dd className="nora-mono">{current?.image ?? agent.image ?? "the family's configured image"}</dd>
            <dt>Digest</dt>
            <dd className="nora-mono">{current?.imageDigest ?? "not resolved yet"}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(agent.createdAt)}</dd>
          </dl>
        </section>
      </div>
      <section className="nora-panel" aria-labelledby="overview-deployments">
        <h2 id="overview-deployments">Deployments</h2>
        <DeploymentsTable deployments={deployments} loading={loading} />
      </section>
      <section className="nora-panel" aria-labelledby="overview-revisions">
        <h2 id="overview-revisions">Revisions</h2>
        <RevisionsTable
          revisions={revisions}
          current={agent.revision}
          loading={loading}
          rollbackBlocked={canEdit ? null : "Rolling back needs the editor role or above"}
          onRollback={setRollbackTo}
        />
      </section>
      <ConfirmDialog
        open={rollbackTo !== null}
        onClose={() => setRollbackTo(null)}
        onConfirm={() => void rollback()}
        busy={rollingBack}
        title={`Roll ${agent.name} back to revision #${rollbackTo?.number ?? ""}?`}
        description="The agent is deployed again from that revision's spec; the desired spec follows it."
        confirmationText={agent.name}
        confirmLabel="Roll back"
      />
    </>
  );
}
