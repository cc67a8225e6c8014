"use client";

import { isApiError } from "@nora/api-client";
import { adminRoutes } from "@nora/api-contract";
import { Button, type Column, ConfirmDialog, Dialog, Field, Table, useToast } from "@nora/ui";
import { type FormEvent, useState } from "react";
import { api } from "../api";
import { toastError } from "../errors";
import { formatTime } from "../format";
import { LoadFailure, RefusalNotice } from "../load-failure";
import { useMe } from "../session";
import type { AdminUser } from "../types";
import { useRemote } from "../use-remote";
import { changeBody, changeDescription, changeTitle, LAST_ADMIN, type UserChange } from "./user-actions";

const PAGE = 50;

export function UsersPage() {
  const me = useMe();
  const toast = useToast();
  const [q, setQ] = useState("");
  const [offset, setOffset] = useState(0);
  const [change, setChange] = useState<UserChange | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<unknown>(null);
  const { loaded, reload } = useRemote(`${q}|${offset}`, () =>
    api.call(adminRoutes.users, {
      query: { ...(q ? { q } : {}), limit: String(PAGE), offset: String(offset) },
    }),
  );

  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get("q") ?? "").trim();
    setOffset(0);
    setQ(value.toLowerCase());
  };

  const apply = async () => {
    if (!change) return;
    setBusy(true);
    try {
      await api.call(adminRoutes.updateUser, { params: { userId: change.userId }, body: changeBody(change) });
      toast.show({ tone: "success", title: "User updated", message: change.email });
      setRefusal(null);
      await reload();
    } catch (error) {
      if (isApiError(error) && error.code === LAST_ADMIN) setRefusal(error);
      toastError(toast, "The user was not changed", error);
    } finally {
      setBusy(false);
      setChange(null);
    }
  };

  const users = loaded.state === "ready" ? loaded.value.users : [];
  const columns: Column<AdminUser>[] = [
    {
      key: "email",
      header: "Email",
      rowHeader: true,
      sortValue: (u) => u.email,
      cell: (u) => (u.id === me.user.id ? `${u.email} (you)` : u.email),
    },
    { key: "name", header: "Name", sortValue: (u) => u.displayName, cell: (u) => u.displayName ?? "—" },
    {
      key: "role",
      header: "Role",
      sortValue: (u) => u.role,
      cell: (u) => (u.role === "admin" ? "Admin" : "User"),
    },
    {
      key: "state",
      header: "State",
      sortValue: (u) => Boolean(u.disabledAt),
      cell: (u) => (u.disabledAt ? `Disabled ${formatTime(u.disabledAt)}` : "Active"),
    },
    {
      key: "login",
      header: "Last sign-in",
      sortValue: (u) => u.lastLoginAt,
      cell: (u) => formatTime(u.lastLoginAt),
    },
    {
      key: "ws",
      header: "Workspaces",
      align: "end",
      sortValue: (u) => u.workspaceCount,
      cell: (u) => u.workspaceCount,
    },
    {
      key: "actions",
      header: "Actions",
      cell: (u) => (
        <span className="nora-toolbar">
          <Button
            size="sm"
            variant="secondary"
            onClick={() =>
              setChange({
                kind: "role",
                userId: u.id,
                email: u.email,
                role: u.role === "admin" ? "user" : "admin",
              })
            }
            aria-label={`${u.role === "admin" ? "Make user" : "Make admin"}: ${u.email}`}
          >
            {u.role === "admin" ? "Make user" : "Make admin"}
          </Button>
          {u.disabledAt ? (
            <Button
              size="sm"
              variant="secondary"
              onClick={() => setChange({ kind: "enable", userId: u.id, email: u.email })}
              aria-label={`Enable ${u.email}`}
            >
              Enable
            </Button>
          ) : (
            <Button
              size="sm"
              variant="danger"
              disabled={u.id === me.user.id}
              title={u.id === me.user.id ? "You cannot disable your own account" : undefined}
              aria-describedby={u.id === me.user.id ? "self-disable-reason" : undefined}
              onClick={() => setChange({ kind: "disable", userId: u.id, email: u.email })}
              aria-label={`Disable ${u.email}`}
            >
              Disable
            </Button>
          )}
        </span>
      ),
    },
  ];

  return (
    <>
      <div className="nora-page-head">
        <h1>Users</h1>
      </div>
      <form className="nora-filters" aria-label="Search users" onSubmit={search}>
        <Field label="Search by email" name="q" type="search" defaultValue={q} maxLength={100} />
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
      <p id="self-disable-reason" className="nora-toolbar-note">
        You cannot disable your own account; another admin can.
      </p>
      {refusal ? <RefusalNotice title="At least one active admin must remain" error={refusal} /> : null}
      {loaded.state === "failed" ? (
        <LoadFailure what="the users" error={loaded.error} onRetry={() => void reload()} />
      ) : (
        <Table
          caption="Users"
          captionHidden
          columns={columns}
          rows={users}
          rowKey={(u) => u.id}
          loading={loaded.state === "loading"}
          emptyMessage={q ? `No user's email contains “${q}”.` : "No users yet."}
        />
      )}
      <nav className="nora-pager" aria-label="Pages of users">
        <Button
          variant="secondary"
          size="sm"
          disabled={offset === 0}
          onClick={() => setOffset(Math.max(0, offset - PAGE))}
        >
          Previous
        </Button>
        <span>{users.length > 0 ? `${offset + 1}–${offset + users.length}` : "0"}</span>
        <Button
          variant="secondary"
          size="sm"
          disabled={users.length < PAGE}
          onClick={() => setOffset(offset + PAGE)}
        >
          Next
        </Button>
      </nav>
      {change?.kind === "disable" ? (
        <ConfirmDialog
          open
          onClose={() => setChange(null)}
          onConfirm={() => void apply()}
          title={changeTitle(change)}
          description={changeDescription(change)}
          confirmationText={change.email}
          confirmLabel="Disable user"
          busy={busy}
        />
      ) : change ? (
        <Dialog
          open
          onClose={() => setChange(null)}
          title={changeTitle(change)}
          description={changeDescription(change)}
          dismissible={!busy}
          actions={
            <>
              <Button variant="secondary" onClick={() => setChange(null)} disabled={busy}>
                Cancel
              </Button>
              <Button onClick={() => void apply()} loading={busy} data-autofocus="">
                {change.kind === "enable" ? "Enable user" : "Change role"}
              </Button>
            </>
          }
        />
      ) : null}
    </>
  );
}
