"use client";

import { adminRoutes } from "@nora/api-contract";
import { useToast } from "@nora/ui";
import { api } from "../api";
import { LoadFailure } from "../load-failure";
import { useRemote } from "../use-remote";
import { SignupModeFacts, SignupModeForm } from "./signup-mode-form";

/** The email of whoever last stored a setting (the settings name a user id). */
async function emailOf(userId: string | null): Promise<string | undefined> {
  if (!userId) return undefined;
  const { users } = await api.call(adminRoutes.users, { query: { limit: "500", offset: "0" } });
  return users.find((u) => u.id === userId)?.email;
}

export function SettingsPage() {
  const toast = useToast();
  const { loaded, reload, set } = useRemote("settings", async () => {
    const answer = await api.call(adminRoutes.settings);
    return { answer, updatedBy: await emailOf(answer.settings.signupMode.updatedBy).catch(() => undefined) };
  });
  return (
    <>
      <h1>Platform settings</h1>
      {loaded.state === "failed" ? (
        <LoadFailure what="the settings" error={loaded.error} onRetry={() => void reload()} />
      ) : loaded.state === "loading" ? (
        <p className="nora-loading">Loading…</p>
      ) : (
        <section className="nora-section" aria-labelledby="signup-heading">
          <h2 id="signup-heading">Signup</h2>
          <SignupModeFacts
            setting={loaded.value.answer.settings.signupMode}
            updatedBy={loaded.value.updatedBy}
          />
          <SignupModeForm
            key={`${loaded.value.answer.settings.signupMode.source}-${loaded.value.answer.settings.signupMode.value}`}
            setting={loaded.value.answer.settings.signupMode}
            onSaved={(answer) => {
              set({ answer, updatedBy: loaded.value.updatedBy });
              toast.show({ tone: "success", title: "Signup mode saved" });
              void reload();
            }}
          />
        </section>
      )}
    </>
  );
}
