"use client";

import { OAUTH_PROVIDERS, oauthRoutes } from "@nora/api-contract";
import { Button, Notice } from "@nora/ui";
import { useState } from "react";
import { api, auth } from "../api";
import { useFeedback } from "../settings/feedback";
import { formatTime } from "../settings/format";
import { LoadFailed } from "../settings/load-state";
import { useRemote } from "../settings/use-remote";

const LABELS = { github: "GitHub", google: "Google" } as const;

/** Sign-in providers linked to the account: link an enabled one, unlink (never the last way in). */
export function IdentitiesCard() {
  const feedback = useFeedback();
  const data = useRemote("identities", async () => {
    const [identities, status] = await Promise.all([
      api.call(oauthRoutes.identities),
      auth.bootstrapStatus(),
    ]);
    return { ...identities, enabled: OAUTH_PROVIDERS.filter((p) => status.signIn[p]) };
  });
  const [busy, setBusy] = useState<string | null>(null);

  if (data.state === "failed") return <LoadFailed what="sign-in providers" error={data.error} />;
  if (data.state === "loading") return <p className="nora-loading">Loading sign-in providers…</p>;
  const { identities, hasPassword, enabled } = data.value;

  const link = async (provider: (typeof OAUTH_PROVIDERS)[number]) => {
    setBusy(provider);
    try {
      const { authorizationUrl } = await api.call(oauthRoutes.link, { params: { provider } });
      window.location.assign(authorizationUrl);
    } catch (error) {
      setBusy(null);
      feedback.failed(`Could not link ${LABELS[provider]}`, error);
    }
  };
  const unlink = async (id: string, provider: (typeof OAUTH_PROVIDERS)[number]) => {
    setBusy(id);
    try {
      await api.call(oauthRoutes.unlink, { params: { id } });
      feedback.done(`${LABELS[provider]} unlinked`);
      await data.reload();
    } catch (error) {
      // 409 last_sign_in_method: its message says why (the only way left to sign in).
      feedback.failed(`Could not unlink ${LABELS[provider]}`, error);
    } finally {
      setBusy(null);
    }
  };

  const unlinked = enabled.filter((p) => !identities.some((i) => i.provider === p));
  return (
    <section className="nora-settings-card" aria-labelledby="identities-heading">
      <h2 id="identities-heading">Sign-in methods</h2>
      <p>Password: {hasPassword ? "set" : "none (you sign in with a provider)"}</p>
      {identities.length === 0 && enabled.length === 0 ? (
        <Notice title="No sign-in providers are enabled on this server" />
      ) : null}
      <ul>
        {identities.map((identity) => (
          <li key={identity.id}>
            {LABELS[identity.provider]} {identity.email ? `(${identity.email})` : ""} · linked{" "}
            {formatTime(identity.createdAt)}{" "}
            <Button
              size="sm"
              variant="secondary"
              loading={busy === identity.id}
              onClick={() => void unlink(identity.id, identity.provider)}
            >
              Unlink<span className="nora-visually-hidden"> {LABELS[identity.provider]}</span>
            </Button>
          </li>
        ))}
        {unlinked.map((provider) => (
          <li key={provider}>
            {LABELS[provider]}: not linked{" "}
            <Button
              size="sm"
              variant="secondary"
              loading={busy === provider}
              onClick={() => void link(provider)}
            >
              Link {LABELS[provider]}
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
