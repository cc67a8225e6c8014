"use client";

import type { CallOutput } from "@nora/api-client";
import { authRoutes } from "@nora/api-contract";
import { Button, type Column, ConfirmDialog, Table } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { useFeedback } from "../settings/feedback";
import { formatTime, timeValue } from "../settings/format";
import { LoadFailed } from "../settings/load-state";
import { useRemote } from "../settings/use-remote";

type Session = CallOutput<typeof authRoutes.sessions>["sessions"][number];

/** The account's live sessions: revoke one, or sign out everywhere (this browser too). */
export function SessionsCard() {
  const feedback = useFeedback();
  const sessions = useRemote("sessions", async () => (await api.call(authRoutes.sessions)).sessions);
  const [confirmAll, setConfirmAll] = useState(false);
  const [busy, setBusy] = useState(false);

  const revoke = async (session: Session) => {
    try {
      await api.call(authRoutes.revokeSession, { params: { sessionId: session.id } });
      if (session.current) {
        window.location.assign("/login");
        return;
      }
      feedback.done("Session revoked");
      await sessions.reload();
    } catch (error) {
      feedback.failed("Could not revoke the session", error);
    }
  };
  const signOutEverywhere = async () => {
    setBusy(true);
    try {
      await api.call(authRoutes.logoutAll);
      window.location.assign("/login");
    } catch (error) {
      setBusy(false);
      feedback.failed("Could not sign out everywhere", error);
    }
  };

  const columns: Column<Session>[] = [
    {
      key: "device",
      header: "Browser",
      rowHeader: true,
      sortValue: (s) => s.userAgent ?? "",
      cell: (s) => (
        <>
          {s.userAgent ?? "Unknown browser"}{" "}
          {s.current ? <span className="nora-badge nora-badge--info">this browser</span> : null}
        </>
      ),
    },
    { key: "ip", header: "Address", cell: (s) => s.ip ?? "—" },
    {
      key: "created",
      header: "Signed in",
      sortValue: (s) => timeValue(s.createdAt),
      cell: (s) => formatTime(s.createdAt),
    },
    {
      key: "seen",
      header: "Last seen",
      sortValue: (s) => timeValue(s.lastSeenAt),
      cell: (s) => formatTime(s.lastSeenAt),
    },
    {
      key: "actions",
      header: <span className="nora-visually-hidden">Actions</span>,
      align: "end",
      cell: (s) => (
        <Button size="sm" variant="danger" onClick={() => void revoke(s)}>
          {s.current ? "Sign out" : "Revoke"}
          <span className="nora-visually-hidden"> the session of {s.userAgent ?? "an unknown browser"}</span>
        </Button>
      ),
    },
  ];

  return (
    <section className="nora-settings-card" aria-labelledby="sessions-heading">
      <div className="nora-section-toolbar">
        <h2 id="sessions-heading">Sessions</h2>
        <Button variant="danger" onClick={() => setConfirmAll(true)}>
          Sign out everywhere
        </Button>
      </div>
      {sessions.state === "failed" ? (
        <LoadFailed what="sessions" error={sessions.error} />
      ) : (
        <Table
          caption="Your sessions"
          captionHidden
          columns={columns}
          rows={sessions.value ?? []}
          rowKey={(s) => s.id}
          loading={sessions.state === "loading"}
          defaultSort={{ column: "seen", direction: "descending" }}
        />
      )}
      <ConfirmDialog
        open={confirmAll}
        onClose={() => setConfirmAll(false)}
        onConfirm={() => void signOutEverywhere()}
        busy={busy}
        title="Sign out everywhere?"
        description="Every session of your account ends, this one too; API keys keep working."
        confirmationText="sign out"
        confirmLabel="Sign out everywhere"
      />
    </section>
  );
}
