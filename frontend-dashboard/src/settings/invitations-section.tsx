"use client";

import type { CallOutput } from "@nora/api-client";
import { invitationRoutes } from "@nora/api-contract";
import { Button, type Column, ConfirmDialog, Notice, SecretReveal, Table } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { atLeast } from "../roles";
import { useCurrentWorkspace } from "../workspaces";
import { useFeedback } from "./feedback";
import { formatTime, timeValue } from "./format";
import { type InvitationCreated, InviteForm } from "./invite-form";
import { LoadFailed } from "./load-state";
import { useRemote } from "./use-remote";

type Invitation = CallOutput<typeof invitationRoutes.list>["invitations"][number];

export function InvitationsSection() {
  const workspace = useCurrentWorkspace();
  const canManage = atLeast(workspace?.role, "admin");
  if (!workspace) return null;
  if (!canManage) {
    return (
      <Notice tone="info" title="Invitations are managed by admins">
        You are {workspace.role} in this workspace: ask an admin or owner to invite someone.
      </Notice>
    );
  }
  return <ManageInvitations workspaceId={workspace.id} />;
}

function ManageInvitations({ workspaceId }: { workspaceId: string }) {
  const feedback = useFeedback();
  const invitations = useRemote(
    workspaceId,
    async () => (await api.call(invitationRoutes.list, { params: { id: workspaceId } })).invitations,
  );
  // The accept link of a just-created invitation, held only here until dismissed.
  const [created, setCreated] = useState<InvitationCreated | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const [busy, setBusy] = useState(false);

  const onCreated = (answer: InvitationCreated) => {
    setCreated(answer);
    void invitations.reload();
  };
  const revoke = async (invitation: Invitation) => {
    setBusy(true);
    try {
      await api.call(invitationRoutes.revoke, { params: { id: workspaceId, invitationId: invitation.id } });
      feedback.done("Invitation revoked", invitation.email);
      setRevoking(null);
      await invitations.reload();
    } catch (error) {
      feedback.failed(`Could not revoke the invitation of ${invitation.email}`, error);
    } finally {
      setBusy(false);
    }
  };

  const columns: Column<Invitation>[] = [
    { key: "email", header: "Email", rowHeader: true, sortValue: (i) => i.email, cell: (i) => i.email },
    { key: "role", header: "Role", sortValue: (i) => i.role, cell: (i) => i.role },
    {
      key: "status",
      header: "Status",
      sortValue: (i) => i.status,
      cell: (i) => <span className={`nora-badge nora-badge--${STATUS_TONE[i.status]}`}>{i.status}</span>,
    },
    {
      key: "created",
      header: "Sent",
      sortValue: (i) => timeValue(i.createdAt),
      cell: (i) => formatTime(i.createdAt),
    },
    {
      key: "expires",
      header: "Expires",
      sortValue: (i) => timeValue(i.expiresAt),
      cell: (i) => formatTime(i.expiresAt),
    },
    {
      key: "actions",
      header: <span className="nora-visually-hidden">Actions</span>,
      align: "end",
      cell: (i) =>
        i.status === "pending" ? (
          <Button size="sm" variant="danger" onClick={() => setRevoking(i)}>
            Revoke<span className="nora-visually-hidden"> the invitation of {i.email}</span>
          </Button>
        ) : null,
    },
  ];

  return (
    <section aria-label="Invitations">
      <InviteForm workspaceId={workspaceId} onCreated={onCreated} />
      {created ? <InvitationOutcome created={created} onDismiss={() => setCreated(null)} /> : null}
      {invitations.state === "failed" ? (
        <LoadFailed what="invitations" error={invitations.error} />
      ) : (
        <Table
          caption="Invitations"
          columns={columns}
          rows={invitations.value ?? []}
          rowKey={(i) => i.id}
          loading={invitations.state === "loading"}
          emptyMessage="No invitations yet: invite someone above."
          defaultSort={{ column: "created", direction: "descending" }}
        />
      )}
      <ConfirmDialog
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        onConfirm={() => revoking && void revoke(revoking)}
        busy={busy}
        title={`Revoke the invitation of ${revoking?.email ?? ""}?`}
        description="Its link stops working at once."
        confirmationText={revoking?.email ?? ""}
        confirmLabel="Revoke invitation"
      />
    </section>
  );
}

const STATUS_TONE = { pending: "info", accepted: "success", revoked: "neutral", expired: "warning" } as const;

/** How the invitation travels: emailed, or (no mail configured) a link shown this once to hand over. */
export function InvitationOutcome({
  created,
  onDismiss,
}: {
  created: InvitationCreated;
  onDismiss: () => void;
}) {
  return (
    <div className="nora-settings-card" role="status">
      {created.delivery === "email" ? (
        <Notice tone="success" title={`Invitation emailed to ${created.invitation.email}`} />
      ) : (
        <>
          <Notice
            tone="warning"
            title={`No mail server is configured: hand this link to ${created.invitation.email}`}
          >
            It is shown once. Anyone with the link can accept as {created.invitation.role} after signing in
            with that address.
          </Notice>
          <SecretReveal label="Invitation link" value={created.acceptUrl} />
        </>
      )}
      <Button variant="secondary" size="sm" onClick={onDismiss}>
        Done
      </Button>
    </div>
  );
}
