"use client";

import type { CallOutput } from "@nora/api-client";
import { integrationRoutes } from "@nora/api-contract";
import { Button, type Column, ConfirmDialog, Dialog, Notice, Table } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { atLeast } from "../roles";
import { useCurrentWorkspace } from "../workspaces";
import { useFeedback } from "./feedback";
import { formatTime, timeValue } from "./format";
import { type Integration, IntegrationForm } from "./integration-form";
import { LoadFailed } from "./load-state";
import { useRemote } from "./use-remote";

type TestResult = CallOutput<typeof integrationRoutes.test>;

export function IntegrationsSection() {
  const workspace = useCurrentWorkspace();
  const feedback = useFeedback();
  const workspaceId = workspace?.id ?? "";
  const data = useRemote(workspaceId, async () => {
    if (!workspaceId) return null;
    const [catalog, list] = await Promise.all([
      api.call(integrationRoutes.catalog),
      api.call(integrationRoutes.list, { params: { id: workspaceId } }),
    ]);
    return { catalog, integrations: list.integrations };
  });
  const [editing, setEditing] = useState<{ integration?: Integration } | null>(null);
  const [deleting, setDeleting] = useState<Integration | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [tested, setTested] = useState<{ name: string; result: TestResult } | null>(null);
  if (!workspace) return null;
  if (data.state === "failed") return <LoadFailed what="integrations" error={data.error} />;
  const canEdit = atLeast(workspace.role, "editor");
  const readOnly = canEdit ? undefined : `You are ${workspace.role}: editors and above change integrations`;
  const labels = new Map((data.value?.catalog.integrations ?? []).map((k) => [k.kind, k.label]));
  const params = (i: Integration) => ({ id: workspace.id, integrationId: i.id });

  const test = async (i: Integration) => {
    setBusy(`test:${i.id}`);
    try {
      setTested({ name: i.name, result: await api.call(integrationRoutes.test, { params: params(i) }) });
    } catch (error) {
      feedback.failed(`Could not test ${i.name}`, error);
    } finally {
      setBusy(null);
    }
  };
  const remove = async (i: Integration) => {
    setBusy(`delete:${i.id}`);
    try {
      await api.call(integrationRoutes.remove, { params: params(i) });
      setDeleting(null);
      feedback.done("Integration deleted", i.name);
      await data.reload();
    } catch (error) {
      feedback.failed(`Could not delete ${i.name}`, error);
    } finally {
      setBusy(null);
    }
  };

  const columns: Column<Integration>[] = [
    { key: "name", header: "Name", rowHeader: true, sortValue: (i) => i.name, cell: (i) => i.name },
    { key: "kind", header: "Kind", sortValue: (i) => i.kind, cell: (i) => labels.get(i.kind) ?? i.kind },
    {
      key: "secrets",
      header: "Credentials",
      cell: (i) =>
        Object.entries(i.credentials)
          .map(
            ([name, s]) =>
              `${name}: ${s.set ? `set${"hint" in s && s.hint ? ` (…${s.hint})` : ""}` : "not set"}`,
          )
          .join(", ") || "—",
    },
    { key: "warnings", header: "Warnings", cell: (i) => i.warnings.join(" ") || "—" },
    {
      key: "updated",
      header: "Updated",
      sortValue: (i) => timeValue(i.updatedAt),
      cell: (i) => formatTime(i.updatedAt),
    },
    {
      key: "actions",
      header: <span className="nora-visually-hidden">Actions</span>,
      align: "end",
      cell: (i) => (
        <div className="nora-row-actions">
          <Button
            size="sm"
            variant="secondary"
            disabled={!canEdit}
            title={readOnly}
            loading={busy === `test:${i.id}`}
            onClick={() => void test(i)}
          >
            Test<span className="nora-visually-hidden"> {i.name}</span>
          </Button>
          <Button
            size="sm"
            variant="secondary"
            disabled={!canEdit}
            title={readOnly}
            onClick={() => setEditing({ integration: i })}
          >
            Edit<span className="nora-visually-hidden"> {i.name}</span>
          </Button>
          <Button
            size="sm"
            variant="danger"
            disabled={!canEdit}
            title={readOnly}
            onClick={() => setDeleting(i)}
          >
            Delete<span className="nora-visually-hidden"> {i.name}</span>
          </Button>
        </div>
      ),
    },
  ];

  return (
    <section aria-labelledby="integrations-heading">
      <div className="nora-section-toolbar">
        <h2 id="integrations-heading">Integrations</h2>
        <Button disabled={!canEdit || !data.value} title={readOnly} onClick={() => setEditing({})}>
          Add integration
        </Button>
      </div>
      {readOnly ? <p className="nora-muted">{readOnly}.</p> : null}
      {tested ? (
        <Notice
          role="status"
          tone={tested.result.ok ? "success" : "danger"}
          title={`${tested.name}: ${tested.result.ok ? "it works" : "the test failed"}`}
        >
          <p>
            Status: {tested.result.status ?? "no answer"}
            {tested.result.account ? ` · account ${tested.result.account}` : ""}
            {tested.result.error ? ` · ${tested.result.error}` : ""}
            {tested.result.message ? ` · ${tested.result.message}` : ""}
          </p>
        </Notice>
      ) : null}
      <Table
        caption="Integrations"
        captionHidden
        columns={columns}
        rows={data.value?.integrations ?? []}
        rowKey={(i) => i.id}
        loading={data.state === "loading"}
        emptyMessage="No integrations yet."
        defaultSort={{ column: "name", direction: "ascending" }}
      />
      <Dialog
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.integration ? `Edit ${editing.integration.name}` : "Add an integration"}
      >
        {editing && data.value ? (
          <IntegrationForm
            workspaceId={workspace.id}
            catalog={data.value.catalog}
            {...(editing.integration ? { integration: editing.integration } : {})}
            onCancel={() => setEditing(null)}
            onSaved={(saved) => {
              setEditing(null);
              feedback.done("Integration saved", saved.name);
              void data.reload();
            }}
          />
        ) : null}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && void remove(deleting)}
        busy={busy === `delete:${deleting?.id}`}
        title={`Delete ${deleting?.name ?? ""}?`}
        description="Its stored credentials are deleted."
        confirmationText={deleting?.name ?? ""}
        confirmLabel="Delete integration"
      />
    </section>
  );
}
