"use client";
import type { PublicUser } from "@nora/api-contract";
import { Button, Field, FormAlert, PasswordField, requiredFieldErrors, useForm } from "@nora/ui";
import Link from "next/link";
import { auth, session } from "./api";

const FIELDS = ["email", "password"] as const;
const REQUIRED = { email: "Enter your email address", password: "Enter your password" };

export interface SignInFormProps {
  onSignedIn: (user: PublicUser) => void;
  /** Offer "Forgot your password?" (the server can mail a reset link). */
  passwordReset: boolean;
  submitLabel?: string;
}

/** Email and password; the API sets the session cookie on success. */
export function SignInForm({ onSignedIn, passwordReset, submitLabel = "Sign in" }: SignInFormProps) {
  const form = useForm({
    fields: FIELDS,
    validate: (values) => requiredFieldErrors(values, REQUIRED),
    submit: async (values) => {
      const user = await auth.signIn({ email: values.email ?? "", password: values.password ?? "" });
      session.forget();
      onSignedIn(user);
    },
  });
  const { fields } = form.errors;
  return (
    <form {...form.formProps} aria-label="Sign in with email">
      <FormAlert title="Could not sign in" errors={form.errors} />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        inputMode="email"
        required
        error={fields.email}
      />
      <PasswordField
        label="Password"
        name="password"
        autoComplete="current-password"
        required
        error={fields.password}
      />
      {passwordReset ? (
        <p className="nora-form-aside">
          <Link href="/forgot-password">Forgot your password?</Link>
        </p>
      ) : null}
      <Button type="submit" loading={form.submitting} className="nora-button--block">
        {submitLabel}
      </Button>
    </form>
  );
}
