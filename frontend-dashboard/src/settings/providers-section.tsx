"use client";

import type { CallOutput } from "@nora/api-client";
import { providerRoutes } from "@nora/api-contract";
import { Button, type Column, ConfirmDialog, Dialog, Notice, Table } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { atLeast } from "../roles";
import { useCurrentWorkspace } from "../workspaces";
import { useFeedback } from "./feedback";
import { LoadFailed } from "./load-state";
import { PROVIDER_LABELS, type Provider, ProviderForm } from "./provider-form";
import { useRemote } from "./use-remote";

type TestResult = CallOutput<typeof providerRoutes.test>;
type Editing = { provider?: Provider } | null;

export function ProvidersSection() {
  const workspace = useCurrentWorkspace();
  const feedback = useFeedback();
  const workspaceId = workspace?.id ?? "";
  const providers = useRemote(workspaceId, async () =>
    workspaceId ? (await api.call(providerRoutes.list, { params: { id: workspaceId } })).providers : [],
  );
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Provider | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [tested, setTested] = useState<{ provider: Provider; result: TestResult } | null>(null);
  if (!workspace) return null;
  const canEdit = atLeast(workspace.role, "editor");
  const readOnly = canEdit ? undefined : `You are ${workspace.role}: editors and above change providers`;

  const run = async (id: string, title: string, action: () => Promise<void>) => {
    setBusy(id);
    try {
      await action();
    } catch (error) {
      feedback.failed(title, error);
    } finally {
      setBusy(null);
    }
  };
  const params = (p: Provider) => ({ id: workspace.id, providerId: p.id });
  const test = (p: Provider) =>
    run(`test:${p.id}`, `Could not test ${p.name}`, async () => {
      setTested({ provider: p, result: await api.call(providerRoutes.test, { params: params(p) }) });
    });
  const makeDefault = (p: Provider) =>
    run(`default:${p.id}`, `Could not make ${p.name} the default`, async () => {
      await api.call(providerRoutes.update, { params: params(p), body: { isDefault: true } });
      feedback.done("Default provider set", p.name);
      await providers.reload();
    });
  const remove = (p: Provider) =>
    run(`delete:${p.id}`, `Could not delete ${p.name}`, async () => {
      await api.call(providerRoutes.remove, { params: params(p) });
      setDeleting(null);
      feedback.done("Provider deleted", p.name);
      await providers.reload();
    });

  const columns: Column<Provider>[] = [
    {
      key: "name",
      header: "Name",
      rowHeader: true,
      sortValue: (p) => p.name,
      cell: (p) => (
        <>
          {p.name} {p.isDefault ? <span className="nora-badge nora-badge--info">default</span> : null}
        </>
      ),
    },
    { key: "kind", header: "Kind", sortValue: (p) => p.kind, cell: (p) => PROVIDER_LABELS[p.kind] },
    {
      key: "key",
      header: "Key",
      cell: (p) =>
        p.keySet ? <code>••••{p.keyHint ?? ""}</code> : <span className="nora-muted">not set</span>,
    },
    { key: "model", header: "Default model", cell: (p) => p.defaultModel ?? "—" },
    { key: "baseUrl", header: "Base URL", cell: (p) => p.baseUrl ?? "—" },
    {
      key: "actions",
      header: <span className="nora-visually-hidden">Actions</span>,
      align: "end",
      cell: (p) => (
        <div className="nora-row-actions">
          <Button
            size="sm"
            variant="secondary"
            disabled={!canEdit}
            title={readOnly}
            loading={busy === `test:${p.id}`}
            onClick={() => void test(p)}
          >
            Test<span className="nora-visually-hidden"> {p.name}</span>
          </Button>
          <Button
            size="sm"
            variant="secondary"
            disabled={!canEdit}
            title={readOnly}
            onClick={() => setEditing({ provider: p })}
          >
            Edit<span className="nora-visually-hidden"> {p.name}</span>
          </Button>
          {p.isDefault ? null : (
            <Button
              size="sm"
              variant="secondary"
              disabled={!canEdit}
              title={readOnly}
              loading={busy === `default:${p.id}`}
              onClick={() => void makeDefault(p)}
            >
              Make default<span className="nora-visually-hidden"> {p.name}</span>
            </Button>
          )}
          <Button
            size="sm"
            variant="danger"
            disabled={!canEdit}
            title={readOnly}
            onClick={() => setDeleting(p)}
          >
            Delete<span className="nora-visually-hidden"> {p.name}</span>
          </Button>
        </div>
      ),
    },
  ];

  return (
    <section aria-labelledby="providers-heading">
      <div className="nora-section-toolbar">
        <h2 id="providers-heading">LLM providers</h2>
        <Button disabled={!canEdit} title={readOnly} onClick={() => setEditing({})}>
          Add provider
        </Button>
      </div>
      {readOnly ? <p className="nora-muted">{readOnly}.</p> : null}
      {tested ? <TestOutcome name={tested.provider.name} result={tested.result} /> : null}
      {providers.state === "failed" ? (
        <LoadFailed what="providers" error={providers.error} />
      ) : (
        <Table
          caption="LLM providers"
          captionHidden
          columns={columns}
          rows={providers.value ?? []}
          rowKey={(p) => p.id}
          loading={providers.state === "loading"}
          emptyMessage="No providers yet: agents need one to talk to a model."
          defaultSort={{ column: "name", direction: "ascending" }}
        />
      )}
      <Dialog
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.provider ? `Edit ${editing.provider.name}` : "Add an LLM provider"}
      >
        {editing ? (
          <ProviderForm
            workspaceId={workspace.id}
            {...(editing.provider ? { provider: editing.provider } : {})}
            onCancel={() => setEditing(null)}
            onSaved={(saved) => {
              setEditing(null);
              feedback.done(editing.provider ? "Provider saved" : "Provider added", saved.name);
              void providers.reload();
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
        description="Its stored key is deleted; agents using it stop reaching the model."
        confirmationText={deleting?.name ?? ""}
        confirmLabel="Delete provider"
      />
    </section>
  );
}

function TestOutcome({ name, result }: { name: string; result: TestResult }) {
  return (
    <Notice
      role="status"
      tone={result.ok ? "success" : "danger"}
      title={result.ok ? `${name} answered` : `${name} did not answer as expected`}
    >
      <p>
        Status: {result.status ?? "no answer"}
        {result.error ? ` · ${result.error}` : ""}
        {result.message ? ` · ${result.message}` : ""}
      </p>
      {result.models && result.models.length > 0 ? <p>Models: {result.models.join(", ")}</p> : null}
    </Notice>
  );
}
