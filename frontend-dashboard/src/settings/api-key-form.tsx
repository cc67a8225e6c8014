"use client";

import type { CallOutput } from "@nora/api-client";
import { API_KEY_SCOPES, apiKeyRoutes } from "@nora/api-contract";
import { Button, Field, FieldError, FormAlert, requiredFieldErrors, SelectField, useForm } from "@nora/ui";
import { api } from "../api";

export type ApiKeyCreated = CallOutput<typeof apiKeyRoutes.create>;

const FIELDS = ["description", "scopes", "ttl_days"] as const;
const SCOPE_PREFIX = "scope:";
const EXPIRY_OPTIONS = [
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "365", label: "In a year" },
  { value: "", label: "Never" },
] as const;

/** The scopes ticked on the form (each checkbox is named `scope:<scope>`). */
export function scopesOf(values: Record<string, string>): string[] {
  return Object.keys(values)
    .filter((name) => name.startsWith(SCOPE_PREFIX))
    .map((name) => name.slice(SCOPE_PREFIX.length));
}

/** Description, scopes and expiry of a new key; the answer (with the plaintext) goes to `onCreated`. */
export function ApiKeyForm({
  workspaceId,
  onCreated,
  onCancel,
}: {
  workspaceId: string;
  onCreated: (created: ApiKeyCreated) => void;
  onCancel: () => void;
}) {
  const form = useForm({
    fields: FIELDS,
    validate: (values) => {
      const errors = requiredFieldErrors(values, { description: "Say what the key is for" });
      if (scopesOf(values).length === 0) errors.fields.scopes = "Choose at least one scope";
      return errors;
    },
    submit: async (values) => {
      const ttl = values.ttl_days ? Number(values.ttl_days) : undefined;
      const created = await api.call(apiKeyRoutes.create, {
        params: { id: workspaceId },
        body: {
          description: values.description ?? "",
          scopes: scopesOf(values) as (typeof API_KEY_SCOPES)[number][],
          ...(ttl === undefined ? {} : { ttl_days: ttl }),
        },
      });
      onCreated(created);
    },
  });
  const scopesError = form.errors.fields.scopes;
  return (
    <form {...form.formProps}>
      <FormAlert errors={form.errors} title="Could not create the key" />
      <Field
        label="Description"
        name="description"
        required
        autoComplete="off"
        hint="Where the key is used, e.g. “CI deploys”."
        error={form.errors.fields.description}
        data-autofocus=""
      />
      <fieldset
        className="nora-checkbox-group"
        aria-invalid={scopesError ? true : undefined}
        aria-describedby={scopesError ? "api-key-scopes-error" : undefined}
      >
        <legend>Scopes</legend>
        {API_KEY_SCOPES.map((scope) => (
          <label key={scope} className="nora-checkbox">
            <input
              type="checkbox"
              name={`${SCOPE_PREFIX}${scope}`}
              defaultChecked={scope.endsWith(":read")}
            />
            <code>{scope}</code>
          </label>
        ))}
        {scopesError ? <FieldError id="api-key-scopes-error">{scopesError}</FieldError> : null}
      </fieldset>
      <SelectField
        label="Expires"
        name="ttl_days"
        options={EXPIRY_OPTIONS}
        defaultValue="90"
        error={form.errors.fields.ttl_days}
      />
      <div className="nora-row-actions">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={form.submitting}>
          Create key
        </Button>
      </div>
    </form>
  );
}
