"use client";

import { authRoutes } from "@nora/api-contract";
import { Button, Notice } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { useMe } from "../session";
import { useFeedback } from "../settings/feedback";
import { formatTime } from "../settings/format";

/** Who is signed in, whether the address is verified, and a new verification mail. */
export function ProfileCard() {
  const me = useMe();
  const feedback = useFeedback();
  const [sending, setSending] = useState(false);
  const [sentUntil, setSentUntil] = useState<string | null>(null);
  const resend = async () => {
    setSending(true);
    try {
      setSentUntil((await api.call(authRoutes.resendVerification)).expiresAt);
    } catch (error) {
      feedback.failed("Could not send the verification email", error);
    } finally {
      setSending(false);
    }
  };
  return (
    <section className="nora-settings-card" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <dl>
        <dt>Email</dt>
        <dd>
          {me.user.email}{" "}
          {me.user.emailVerified ? (
            <span className="nora-badge nora-badge--success">verified</span>
          ) : (
            <span className="nora-badge nora-badge--warning">not verified</span>
          )}
        </dd>
        <dt>Name</dt>
        <dd>{me.user.displayName ?? "—"}</dd>
      </dl>
      {me.user.emailVerified ? null : sentUntil ? (
        <Notice role="status" tone="success" title="Verification email sent">
          Its link works until {formatTime(sentUntil)}.
        </Notice>
      ) : (
        <Button variant="secondary" loading={sending} onClick={resend}>
          Send the verification email again
        </Button>
      )}
    </section>
  );
}
