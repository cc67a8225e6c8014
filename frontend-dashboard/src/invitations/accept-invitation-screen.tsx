"use client";

import { invitationRoutes } from "@nora/api-contract";
import {
  Button,
  FormAlert,
  type FormErrors,
  formErrorsFrom,
  NO_FORM_ERRORS,
  Notice,
  useLoaded,
} from "@nora/ui";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { api } from "../api";
import { paths } from "../paths";
import { sessionStore } from "../session";
import { workspacesStore } from "../workspaces";
import { isInvitationToken, signupWithInvitationUrl, takeFragmentParams } from "./fragment";

/**
 * `/invitations/accept#token=...` (the link the API mails or hands to the inviter). Rendered outside
 * the session gate's redirect: a visitor without a session is sent to signup with the invitation, a
 * signed-in one accepts it and lands in the workspace. The token lives in this component's state only.
 */
export function AcceptInvitationScreen() {
  const session = useLoaded(sessionStore);
  const router = useRouter();
  // undefined: the fragment is not read yet (the first render is the server's).
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [accepting, setAccepting] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);

  useEffect(() => {
    const { token: fromLink } = takeFragmentParams(["token"]);
    setToken(isInvitationToken(fromLink ?? null) ? (fromLink as string) : null);
  }, []);

  const signedOut = session.state === "ready" && session.value === null;
  useEffect(() => {
    if (signedOut && token) window.location.assign(signupWithInvitationUrl(token));
  }, [signedOut, token]);

  if (token === undefined || session.state === "loading" || (signedOut && token)) {
    return <p className="nora-loading">Opening your invitation…</p>;
  }
  if (token === null) {
    return (
      <Notice tone="warning" title="This invitation link is incomplete">
        Open the link from the invitation again, whole; or ask the admin who invited you for a new one.
      </Notice>
    );
  }
  if (session.state === "failed") {
    return <Notice tone="danger" title="Nora could not load your session" />;
  }
  const me = session.value;
  if (!me) return null;

  const accept = async () => {
    setAccepting(true);
    try {
      const answer = await api.call(invitationRoutes.accept, { body: { token } });
      await workspacesStore.reload();
      router.replace(paths.agents(answer.workspaceId));
    } catch (error) {
      setErrors(formErrorsFrom(error));
      setAccepting(false);
    }
  };

  return (
    <section className="nora-settings-card" aria-labelledby="invitation-heading">
      <h1 id="invitation-heading">Join a workspace</h1>
      <p>
        You are signed in as <strong>{me.user.email}</strong>. The invitation must have been sent to this
        address.
      </p>
      <FormAlert errors={errors} title="Could not accept the invitation" />
      <div className="nora-row-actions">
        <Link href={paths.home()} className="nora-button nora-button--secondary nora-button--md">
          <span className="nora-button-label">Not now</span>
        </Link>
        <Button onClick={accept} loading={accepting}>
          Accept invitation
        </Button>
      </div>
    </section>
  );
}
