"use client";

import type { CallOutput } from "@nora/api-client";
import { WORKSPACE_ROLES, workspaceRoutes } from "@nora/api-contract";
import { Button, type Column, ConfirmDialog, Table } from "@nora/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api } from "../api";
import { paths } from "../paths";
import { atLeast, type WorkspaceRole } from "../roles";
import { useMe } from "../session";
import { useCurrentWorkspace, workspacesStore } from "../workspaces";
import { useFeedback } from "./feedback";
import { formatTime, timeValue } from "./format";
import { LoadFailed } from "./load-state";
import { memberPermissions } from "./member-permissions";
import { useRemote } from "./use-remote";

type Member = CallOutput<typeof workspaceRoutes.members>["members"][number];

export function MembersSection() {
  const workspace = useCurrentWorkspace();
  const me = useMe();
  const router = useRouter();
  const feedback = useFeedback();
  const workspaceId = workspace?.id ?? "";
  const members = useRemote(workspaceId, async () =>
    workspaceId ? (await api.call(workspaceRoutes.members, { params: { id: workspaceId } })).members : [],
  );
  const [removing, setRemoving] = useState<Member | null>(null);
  const [busy, setBusy] = useState(false);
  if (!workspace) return null;
  const role = workspace.role;
  const canManage = atLeast(role, "admin");

  const changeRole = async (member: Member, next: WorkspaceRole) => {
    try {
      await api.call(workspaceRoutes.changeRole, {
        params: { id: workspace.id, userId: member.userId },
        body: { role: next },
      });
      feedback.done("Role changed", `${member.email} is now ${next}.`);
      if (member.userId === me.user.id) await workspacesStore.reload();
    } catch (error) {
      feedback.failed(`Could not change the role of ${member.email}`, error);
    }
    await members.reload();
  };

  const remove = async (member: Member) => {
    const leaving = member.userId === me.user.id;
    setBusy(true);
    try {
      await api.call(workspaceRoutes.removeMember, { params: { id: workspace.id, userId: member.userId } });
      setRemoving(null);
      if (leaving) {
        feedback.done("You left the workspace", workspace.name);
        await workspacesStore.reload();
        router.push(paths.home());
        return;
      }
      feedback.done("Member removed", member.email);
      await members.reload();
    } catch (error) {
      feedback.failed(leaving ? "Could not leave the workspace" : `Could not remove ${member.email}`, error);
    } finally {
      setBusy(false);
    }
  };

  const ownerCount = (members.value ?? []).filter((m) => m.role === "owner").length;
  const columns: Column<Member>[] = [
    {
      key: "email",
      header: "Member",
      rowHeader: true,
      sortValue: (m) => m.email,
      cell: (m) => (
        <>
          {m.displayName ? <>{m.displayName} </> : null}
          <span className="nora-muted">{m.email}</span>
          {m.userId === me.user.id ? <span className="nora-muted"> (you)</span> : null}
        </>
      ),
    },
    {
      key: "role",
      header: "Role",
      sortValue: (m) => WORKSPACE_ROLES.indexOf(m.role),
      cell: (m) => {
        const allowed = memberPermissions(role, m, me.user.id, ownerCount);
        if (!allowed.changeRole) {
          return (
            <span title={allowed.reason}>
              {m.role}
              <span className="nora-visually-hidden"> ({allowed.reason})</span>
            </span>
          );
        }
        return (
          <label>
            <span className="nora-visually-hidden">Role of {m.email}</span>
            <select
              className="nora-select"
              value={m.role}
              onChange={(event) => void changeRole(m, event.currentTarget.value as WorkspaceRole)}
            >
              {allowed.grantable.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
        );
      },
    },
    {
      key: "joined",
      header: "Joined",
      sortValue: (m) => timeValue(m.joinedAt),
      cell: (m) => formatTime(m.joinedAt),
    },
    {
      key: "actions",
      header: <span className="nora-visually-hidden">Actions</span>,
      align: "end",
      cell: (m) => {
        const self = m.userId === me.user.id;
        const allowed = memberPermissions(role, m, me.user.id, ownerCount);
        return (
          <div className="nora-row-actions">
            <Button
              size="sm"
              variant="danger"
              disabled={!allowed.remove}
              title={allowed.remove ? undefined : allowed.reason}
              onClick={() => setRemoving(m)}
            >
              {self ? "Leave workspace" : "Remove"}
              <span className="nora-visually-hidden">
                {self ? "" : ` ${m.email}`}
                {allowed.remove ? "" : ` (${allowed.reason})`}
              </span>
            </Button>
          </div>
        );
      },
    },
  ];

  if (members.state === "failed") return <LoadFailed what="members" error={members.error} />;
  const leaving = removing?.userId === me.user.id;
  return (
    <section aria-labelledby="members-heading">
      <div className="nora-section-toolbar">
        <h2 id="members-heading">Members</h2>
        {canManage ? null : (
          <p className="nora-muted">You are {role}: only admins and owners change roles or remove members.</p>
        )}
      </div>
      <Table
        caption="Workspace members"
        captionHidden
        columns={columns}
        rows={members.value ?? []}
        rowKey={(m) => m.userId}
        loading={members.state === "loading"}
        emptyMessage="No members."
        defaultSort={{ column: "role", direction: "descending" }}
      />
      <ConfirmDialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        onConfirm={() => removing && void remove(removing)}
        busy={busy}
        title={leaving ? `Leave ${workspace.name}?` : `Remove ${removing?.email ?? ""}?`}
        description={
          leaving
            ? "You lose access to its agents at once; an admin has to invite you again."
            : "They lose access to this workspace at once."
        }
        confirmationText={leaving ? workspace.name : (removing?.email ?? "")}
        confirmLabel={leaving ? "Leave workspace" : "Remove member"}
      />
    </section>
  );
}
