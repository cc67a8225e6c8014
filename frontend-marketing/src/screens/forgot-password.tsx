"use client";
import type { BootstrapStatus } from "@nora/api-client";
import { Button, Field, FormAlert, Notice, requiredFieldErrors, useForm } from "@nora/ui";
import Link from "next/link";
import { useState } from "react";
import { auth } from "../api";
import { Captcha } from "../captcha";
import { AuthCard, Leaving, WhenLoaded } from "../page-parts";
import { useAuthPage } from "../use-auth-page";

function RequestForm({ status, onSent }: { status: BootstrapStatus; onSent: () => void }) {
  const [attempts, setAttempts] = useState(0);
  const form = useForm({
    fields: ["email", "captchaToken"],
    validate: (values) => {
      const errors = requiredFieldErrors(values, { email: "Enter your email address" });
      if (status.captcha && !values.captchaToken) errors.form.push("Complete the captcha first");
      return errors;
    },
    submit: async (values) => {
      try {
        await auth.requestPasswordReset({
          email: values.email ?? "",
          ...(values.captchaToken ? { captchaToken: values.captchaToken } : {}),
        });
        onSent();
      } finally {
        setAttempts((n) => n + 1);
      }
    },
  });
  return (
    <form {...form.formProps} aria-label="Ask for a reset link">
      <FormAlert title="Could not send the link" errors={form.errors} />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        error={form.errors.fields.email}
      />
      {status.captcha ? <Captcha captcha={status.captcha} resetKey={attempts} /> : null}
      <Button type="submit" loading={form.submitting} className="nora-button--block">
        Send the reset link
      </Button>
    </form>
  );
}

export function ForgotPasswordPage() {
  const page = useAuthPage();
  const [sent, setSent] = useState(false);
  if (page.leaving) return <Leaving />;
  return (
    <AuthCard
      title="Reset your password"
      footer={
        <p>
          Remembered it? <Link href="/login">Sign in</Link>
        </p>
      }
    >
      <WhenLoaded loaded={page.status} what="the reset options">
        {(status) => {
          if (!status.passwordReset) {
            return (
              <Notice tone="warning" title="This server cannot send email">
                <p>
                  Without email, a password cannot be reset here: there is no way to prove the address is
                  yours. Ask the platform administrator for help.
                </p>
              </Notice>
            );
          }
          if (sent) {
            return (
              <Notice tone="success" title="Check your email" role="status">
                <p>
                  If an account uses that address, a reset link is on its way. It works once and for a short
                  time; ask again if it expires.
                </p>
              </Notice>
            );
          }
          return (
            <>
              <p>Enter the address of your account and we will email you a link to choose a new password.</p>
              <RequestForm status={status} onSent={() => setSent(true)} />
            </>
          );
        }}
      </WhenLoaded>
    </AuthCard>
  );
}
