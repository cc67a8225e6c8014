"use client";
import type { BootstrapStatus } from "@nora/api-client";
import type { PublicUser } from "@nora/api-contract";
import {
  Button,
  Field,
  FormAlert,
  type FormErrors,
  type FormValues,
  PasswordField,
  passwordMeetsRules,
  requiredFieldErrors,
  useForm,
} from "@nora/ui";
import { useState } from "react";
import { Captcha } from "./captcha";

const FIELDS = ["displayName", "email", "password", "captchaToken", "invitationToken"] as const;

export interface AccountDetails {
  email: string;
  password: string;
  displayName?: string;
  captchaToken?: string;
}

/** What the form sends: empty optional fields left out, so the API sees only what was typed. */
export function accountDetails(values: FormValues): AccountDetails {
  const details: AccountDetails = { email: values.email ?? "", password: values.password ?? "" };
  const displayName = values.displayName?.trim();
  if (displayName) details.displayName = displayName;
  if (values.captchaToken) details.captchaToken = values.captchaToken;
  return details;
}

/** Before sending: the required fields, the password rules as the API states them, the captcha. */
export function validateAccount(values: FormValues, needsCaptcha: boolean): FormErrors {
  const errors = requiredFieldErrors(values, {
    email: "Enter your email address",
    password: "Choose a password",
  });
  if (!errors.fields.password && !passwordMeetsRules(values.password ?? "")) {
    errors.fields.password = "The password does not meet the rules above";
  }
  if (needsCaptcha && !values.captchaToken) errors.form.push("Complete the captcha first");
  return errors;
}

export interface AccountFormProps {
  status: BootstrapStatus;
  /** Creates the account (and signs it in); throws the API's refusal. */
  create: (details: AccountDetails) => Promise<PublicUser | null>;
  onCreated: (user: PublicUser | null) => void;
  submitLabel: string;
  failureTitle: string;
  /** An email the account must use (an invitation's address), prefilled. */
  email?: string;
}

/** A new account: name, email, a password with its rules shown as typed, and the captcha if any. */
export function AccountForm({
  status,
  create,
  onCreated,
  submitLabel,
  failureTitle,
  email,
}: AccountFormProps) {
  const [attempts, setAttempts] = useState(0);
  const form = useForm({
    fields: FIELDS,
    validate: (values) => validateAccount(values, status.captcha !== null),
    submit: async (values) => {
      try {
        onCreated(await create(accountDetails(values)));
      } finally {
        // A captcha token works once: a new one for the next attempt.
        setAttempts((n) => n + 1);
      }
    },
  });
  const { fields } = form.errors;
  return (
    <form {...form.formProps} aria-label={submitLabel}>
      <FormAlert title={failureTitle} errors={form.errors} />
      <Field
        label="Your name"
        name="displayName"
        autoComplete="name"
        hint="Optional: how others in your workspaces see you."
        error={fields.displayName}
      />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        defaultValue={email}
        error={fields.email}
      />
      <PasswordField label="Password" name="password" showRules required error={fields.password} />
      {status.captcha ? <Captcha captcha={status.captcha} resetKey={attempts} /> : null}
      {fields.captchaToken ? <p className="nora-field-error">{fields.captchaToken}</p> : null}
      <Button type="submit" loading={form.submitting} className="nora-button--block">
        {submitLabel}
      </Button>
    </form>
  );
}
