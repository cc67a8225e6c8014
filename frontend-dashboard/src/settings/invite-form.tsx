"use client";

import type { CallOutput } from "@nora/api-client";
import { invitationRoutes } from "@nora/api-contract";
import { Button, Field, FormAlert, requiredFieldErrors, SelectField, useForm } from "@nora/ui";
import { api } from "../api";

export type InvitationCreated = CallOutput<typeof invitationRoutes.create>;

const FIELDS = ["email", "role"] as const;
const ROLE_OPTIONS = [
  { value: "viewer", label: "Viewer: sees agents and logs" },
  { value: "editor", label: "Editor: deploys and changes agents" },
  { value: "admin", label: "Admin: also manages members, keys and providers" },
] as const;

/** Invite by email and role; the answer (emailed, or a link to hand over) goes to `onCreated`. */
export function InviteForm({
  workspaceId,
  onCreated,
}: {
  workspaceId: string;
  onCreated: (created: InvitationCreated) => void;
}) {
  const form = useForm({
    fields: FIELDS,
    validate: (values) => requiredFieldErrors(values, { email: "Enter the address to invite" }),
    submit: async (values) => {
      const created = await api.call(invitationRoutes.create, {
        params: { id: workspaceId },
        body: { email: values.email ?? "", role: (values.role ?? "viewer") as "viewer" },
      });
      onCreated(created);
    },
  });
  return (
    <form {...form.formProps} className="nora-settings-card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <FormAlert errors={form.errors} title="Could not send the invitation" />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="off"
        required
        error={form.errors.fields.email}
      />
      <SelectField
        label="Role"
        name="role"
        options={ROLE_OPTIONS}
        defaultValue="viewer"
        error={form.errors.fields.role}
      />
      <Button type="submit" loading={form.submitting}>
        Send invitation
      </Button>
    </form>
  );
}
