"use client";

import { Button, Field, FormAlert, useForm } from "@nora/ui";
import { AUDIT_FIELDS, type AuditFilters, validateAuditFilters } from "./audit-filters";

/** The audit filters: checked before asking; what the API refuses shows inline with its request id. */
export function AuditFilterForm({
  filters,
  onApply,
}: {
  filters: AuditFilters;
  /** Asks for the first page with these filters; throws what the API refused. */
  onApply: (filters: AuditFilters) => Promise<void>;
}) {
  const { formProps, errors, submitting } = useForm({
    fields: AUDIT_FIELDS,
    validate: validateAuditFilters,
    submit: (values) =>
      onApply({
        workspaceId: values.workspaceId ?? "",
        actorUserId: values.actorUserId ?? "",
        action: values.action ?? "",
        from: values.from ?? "",
        to: values.to ?? "",
      }),
  });
  return (
    <form {...formProps} className="nora-filters" aria-label="Filter the audit log">
      <FormAlert errors={errors} title="Could not apply the filters" />
      <Field
        label="Workspace id"
        name="workspaceId"
        defaultValue={filters.workspaceId}
        error={errors.fields.workspaceId}
        autoComplete="off"
      />
      <Field
        label="Actor user id"
        name="actorUserId"
        defaultValue={filters.actorUserId}
        error={errors.fields.actorUserId}
        autoComplete="off"
      />
      <Field
        label="Action"
        name="action"
        hint="A prefix: admin matches admin.user_updated"
        defaultValue={filters.action}
        error={errors.fields.action}
        autoComplete="off"
      />
      <Field
        label="From"
        name="from"
        type="datetime-local"
        defaultValue={filters.from}
        error={errors.fields.from}
      />
      <Field label="To" name="to" type="datetime-local" defaultValue={filters.to} error={errors.fields.to} />
      <Button type="submit" variant="secondary" loading={submitting}>
        Apply filters
      </Button>
    </form>
  );
}
