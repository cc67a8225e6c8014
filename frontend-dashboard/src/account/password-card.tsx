"use client";

import { authRoutes } from "@nora/api-contract";
import { Button, FormAlert, Notice, PasswordField, requiredFieldErrors, useForm } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";

const FIELDS = ["currentPassword", "newPassword"] as const;

/** Changes the password: the current one, and a new one checked against the API's rules as typed. */
export function PasswordCard() {
  const [changed, setChanged] = useState(false);
  const form = useForm({
    fields: FIELDS,
    validate: (values) =>
      requiredFieldErrors(values, {
        currentPassword: "Enter your current password",
        newPassword: "Choose a new password",
      }),
    submit: async (values) => {
      setChanged(false);
      await api.call(authRoutes.changePassword, {
        body: { currentPassword: values.currentPassword ?? "", newPassword: values.newPassword ?? "" },
      });
      setChanged(true);
    },
  });
  return (
    <form {...form.formProps} className="nora-settings-card" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      {changed ? <Notice role="status" tone="success" title="Password changed" /> : null}
      <FormAlert errors={form.errors} title="Could not change the password" />
      <PasswordField
        label="Current password"
        name="currentPassword"
        required
        error={form.errors.fields.currentPassword}
      />
      <PasswordField
        label="New password"
        name="newPassword"
        required
        showRules
        error={form.errors.fields.newPassword}
      />
      <Button type="submit" loading={form.submitting}>
        Change password
      </Button>
    </form>
  );
}
