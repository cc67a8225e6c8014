"use client";

import type { CallOutput } from "@nora/api-client";
import { apiKeyRoutes } from "@nora/api-contract";
import { Button, type Column, ConfirmDialog, Dialog, Notice, SecretReveal, Table } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { atLeast } from "../roles";
import { useCurrentWorkspace } from "../workspaces";
import { type ApiKeyCreated, ApiKeyForm } from "./api-key-form";
import { useFeedback } from "./feedback";
import { formatTime, timeValue } from "./format";
import { LoadFailed } from "./load-state";
import { useRemote } from "./use-remote";

type ApiKey = CallOutput<typeof apiKeyRoutes.list>["apiKeys"][number];

export function ApiKeysSection() {
  const workspace = useCurrentWorkspace();
  if (!workspace) return null;
  if (!atLeast(workspace.role, "admin")) {
    return (
      <Notice tone="info" title="API keys are managed by admins">
        You are {workspace.role} in this workspace: an admin or owner creates, rotates and revokes keys.
      </Notice>
    );
  }
  return <ManageApiKeys workspaceId={workspace.id} />;
}

type Pending = { action: "revoke" | "rotate"; key: ApiKey } | null;

function ManageApiKeys({ workspaceId }: { workspaceId: string }) {
  const feedback = useFeedback();
  const keys = useRemote(
    workspaceId,
    async () => (await api.call(apiKeyRoutes.list, { params: { id: workspaceId } })).apiKeys,
  );
  const [creating, setCreating] = useState(false);
  // The plaintext of a key just created or rotated: in this state only, dropped when its dialog closes.
  const [revealed, setRevealed] = useState<ApiKeyCreated | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);

  const act = async (next: NonNullable<Pending>) => {
    setBusy(true);
    const params = { id: workspaceId, keyId: next.key.id };
    try {
      if (next.action === "revoke") {
        await api.call(apiKeyRoutes.revoke, { params });
        feedback.done("Key revoked", next.key.description);
      } else {
        setRevealed(await api.call(apiKeyRoutes.rotate, { params }));
      }
      setPending(null);
      await keys.reload();
    } catch (error) {
      feedback.failed(`Could not ${next.action} the key ${next.key.prefix}`, error);
    } finally {
      setBusy(false);
    }
  };

  const columns: Column<ApiKey>[] = [
    {
      key: "description",
      header: "Key",
      rowHeader: true,
      sortValue: (k) => k.description,
      cell: (k) => (
        <>
          {k.description} <code className="nora-muted">{k.prefix}…</code>
        </>
      ),
    },
    { key: "scopes", header: "Scopes", cell: (k) => k.scopes.join(", ") },
    {
      key: "created",
      header: "Created",
      sortValue: (k) => timeValue(k.createdAt),
      cell: (k) => formatTime(k.createdAt),
    },
    {
      key: "expires",
      header: "Expires",
      sortValue: (k) => timeValue(k.expiresAt),
      cell: (k) => (k.expiresAt ? formatTime(k.expiresAt) : "Never"),
    },
    {
      key: "used",
      header: "Last used",
      sortValue: (k) => timeValue(k.lastUsedAt),
      cell: (k) => (k.lastUsedAt ? formatTime(k.lastUsedAt) : "Never"),
    },
    {
      key: "state",
      header: "State",
      sortValue: (k) => (k.revokedAt ? 1 : 0),
      cell: (k) =>
        k.revokedAt ? (
          <span className="nora-badge nora-badge--neutral">revoked {formatTime(k.revokedAt)}</span>
        ) : (
          <span className="nora-badge nora-badge--success">active</span>
        ),
    },
    {
      key: "actions",
      header: <span className="nora-visually-hidden">Actions</span>,
      align: "end",
      cell: (k) =>
        k.revokedAt ? null : (
          <div className="nora-row-actions">
            <Button size="sm" variant="secondary" onClick={() => setPending({ action: "rotate", key: k })}>
              Rotate<span className="nora-visually-hidden"> {k.description}</span>
            </Button>
            <Button size="sm" variant="danger" onClick={() => setPending({ action: "revoke", key: k })}>
              Revoke<span className="nora-visually-hidden"> {k.description}</span>
            </Button>
          </div>
        ),
    },
  ];

  return (
    <section aria-labelledby="api-keys-heading">
      <div className="nora-section-toolbar">
        <h2 id="api-keys-heading">API keys</h2>
        <Button onClick={() => setCreating(true)}>Create API key</Button>
      </div>
      <p className="nora-muted">
        Scripts and the <code>nora</code> CLI call the API with these keys (
        <code>Authorization: Bearer nora_…</code>). Nora keeps only a hash: a key is shown once, when it is
        made.
      </p>
      {keys.state === "failed" ? (
        <LoadFailed what="API keys" error={keys.error} />
      ) : (
        <Table
          caption="API keys"
          captionHidden
          columns={columns}
          rows={keys.value ?? []}
          rowKey={(k) => k.id}
          loading={keys.state === "loading"}
          emptyMessage="No API keys yet."
          defaultSort={{ column: "created", direction: "descending" }}
        />
      )}
      <Dialog open={creating} onClose={() => setCreating(false)} title="Create an API key">
        <ApiKeyForm
          workspaceId={workspaceId}
          onCancel={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setRevealed(created);
            void keys.reload();
          }}
        />
      </Dialog>
      <Dialog
        open={revealed !== null}
        onClose={() => setRevealed(null)}
        title={`Your new key: ${revealed?.apiKey.description ?? ""}`}
        actions={<Button onClick={() => setRevealed(null)}>I have copied it</Button>}
      >
        {revealed ? (
          <SecretReveal
            label="API key"
            value={revealed.key}
            warning="Copy it now: Nora keeps only a hash, and it is gone when this dialog closes."
          />
        ) : null}
      </Dialog>
      <ConfirmDialog
        open={pending !== null}
        onClose={() => setPending(null)}
        onConfirm={() => pending && void act(pending)}
        busy={busy}
        title={
          pending?.action === "rotate"
            ? `Rotate ${pending.key.description}?`
            : `Revoke ${pending?.key.description ?? ""}?`
        }
        description={
          pending?.action === "rotate"
            ? "A new key replaces it; the old one stops working at once."
            : "Anything using this key is refused from now on."
        }
        confirmationText={pending?.key.prefix ?? ""}
        confirmLabel={pending?.action === "rotate" ? "Rotate key" : "Revoke key"}
      />
    </section>
  );
}
