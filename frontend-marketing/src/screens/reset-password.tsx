"use client";
import {
  Button,
  FormAlert,
  type FormErrors,
  Notice,
  PasswordField,
  passwordMeetsRules,
  useForm,
} from "@nora/ui";
import Link from "next/link";
import { useEffect, useState } from "react";
import { auth, session } from "../api";
import { takeFragmentParams } from "../navigation";
import { AuthCard } from "../page-parts";

function NewPasswordForm({ token, onDone }: { token: string; onDone: () => void }) {
  const form = useForm({
    fields: ["newPassword"],
    validate: (values): FormErrors => {
      const password = values.newPassword ?? "";
      if (password === "") return { fields: { newPassword: "Choose a new password" }, form: [] };
      if (!passwordMeetsRules(password)) {
        return { fields: { newPassword: "The password does not meet the rules above" }, form: [] };
      }
      return { fields: {}, form: [] };
    },
    submit: async (values) => {
      await auth.resetPassword({ token, newPassword: values.newPassword ?? "" });
      session.forget();
      onDone();
    },
  });
  const refused = form.errors.form.length > 0 && form.state.status === "failed";
  return (
    <form {...form.formProps} aria-label="Choose a new password">
      <FormAlert title="Could not change the password" errors={form.errors} />
      {refused ? (
        <p>
          A link works once and for a short time. <Link href="/forgot-password">Ask for a new link</Link>.
        </p>
      ) : null}
      <PasswordField
        label="New password"
        name="newPassword"
        showRules
        required
        error={form.errors.fields.newPassword}
      />
      <Button type="submit" loading={form.submitting} className="nora-button--block">
        Change password
      </Button>
    </form>
  );
}

export function ResetPasswordPage() {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [done, setDone] = useState(false);
  useEffect(() => setToken(takeFragmentParams(["token"]).token), []);
  return (
    <AuthCard title="Choose a new password">
      {done ? (
        <Notice tone="success" title="Your password is changed" role="status">
          <p>
            Every session of the account was signed out. <Link href="/login">Sign in</Link> with the new
            password.
          </p>
        </Notice>
      ) : token === undefined ? null : token === null ? (
        <Notice tone="warning" title="This page needs the link from the email">
          <p>
            Open the reset link from your email again, or{" "}
            <Link href="/forgot-password">ask for a new one</Link>.
          </p>
        </Notice>
      ) : (
        <NewPasswordForm token={token} onDone={() => setDone(true)} />
      )}
    </AuthCard>
  );
}
