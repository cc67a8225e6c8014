"use client";

import { Button, Field, SelectField } from "@nora/ui";
import type { FormEvent } from "react";

export interface AuditFilters {
  action?: string;
  actorUserId?: string;
  from?: string;
  to?: string;
}

/** A `datetime-local` value (the browser's local time) as the ISO instant the API takes. */
export function isoFromLocal(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The filters from the form's values; empty ones are left out. */
export function filtersOf(values: Record<string, string>): AuditFilters {
  const action = (values.action ?? "").trim().toLowerCase();
  const from = isoFromLocal(values.from);
  const to = isoFromLocal(values.to);
  return {
    ...(action ? { action } : {}),
    ...(values.actorUserId ? { actorUserId: values.actorUserId } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

export function AuditFilterForm({
  actors,
  errors,
  onApply,
}: {
  actors: readonly { value: string; label: string }[];
  errors: Record<string, string>;
  onApply: (filters: AuditFilters) => void;
}) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    for (const [name, value] of new FormData(event.currentTarget))
      if (typeof value === "string") values[name] = value;
    onApply(filtersOf(values));
  };
  return (
    <form
      className="nora-settings-card nora-filter-grid"
      onSubmit={submit}
      noValidate
      aria-label="Audit filters"
    >
      <Field
        label="Action"
        name="action"
        autoComplete="off"
        hint="A prefix: “workspace.member” matches every member change."
        error={errors.action}
      />
      <SelectField
        label="Actor"
        name="actorUserId"
        options={[{ value: "", label: "Anyone" }, ...actors]}
        error={errors.actorUserId}
      />
      <Field label="From" name="from" type="datetime-local" error={errors.from} />
      <Field label="To" name="to" type="datetime-local" error={errors.to} />
      <Button type="submit" variant="secondary">
        Apply filters
      </Button>
    </form>
  );
}
