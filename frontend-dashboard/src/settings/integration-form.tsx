"use client";

import type { CallOutput } from "@nora/api-client";
import { integrationRoutes } from "@nora/api-contract";
import { Button, Field, FormAlert, PasswordField, requiredFieldErrors, SelectField, useForm } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { type CatalogField, inputName, splitValues } from "./integration-fields";

export type Catalog = CallOutput<typeof integrationRoutes.catalog>;
export type Integration = CallOutput<typeof integrationRoutes.list>["integrations"][number];
type Kind = Catalog["integrations"][number];

/** One input per catalog field: secrets write-only (masked hint on edit), booleans as checkboxes. */
function CatalogInput({
  field,
  integration,
  error,
}: {
  field: CatalogField;
  integration?: Integration;
  error?: string;
}) {
  const name = inputName(field);
  const label = field.description ? `${field.name}: ${field.description}` : field.name;
  if (field.secret) {
    const stored = integration?.credentials[field.name];
    const hint = stored?.set
      ? `Stored${"hint" in stored && stored.hint ? ` (ends ${stored.hint})` : ""}. Leave empty to keep it.`
      : "Stored encrypted; never shown again.";
    return (
      <PasswordField
        label={label}
        name={name}
        autoComplete="off"
        required={field.required && !stored?.set}
        hint={hint}
        error={error}
      />
    );
  }
  const current = integration?.config[field.name] ?? field.default;
  if (field.type === "boolean") {
    return (
      <label className="nora-checkbox">
        <input type="checkbox" name={name} defaultChecked={current === true} /> {label}
        {error ? <span className="nora-field-error"> {error}</span> : null}
      </label>
    );
  }
  const shown = Array.isArray(current) ? current.join(", ") : current === undefined ? "" : String(current);
  return (
    <Field
      label={label}
      name={name}
      type={
        field.type === "integer" || field.type === "number" ? "number" : field.type === "url" ? "url" : "text"
      }
      autoComplete="off"
      required={field.required}
      defaultValue={shown}
      hint={field.type.endsWith("[]") ? "Comma-separated" : undefined}
      error={error}
    />
  );
}

export function IntegrationForm({
  workspaceId,
  catalog,
  integration,
  onSaved,
  onCancel,
}: {
  workspaceId: string;
  catalog: Catalog;
  integration?: Integration;
  onSaved: (integration: Integration) => void;
  onCancel: () => void;
}) {
  const [kindName, setKindName] = useState(integration?.kind ?? catalog.integrations[0]?.kind ?? "");
  const kind: Kind | undefined = catalog.integrations.find((k) => k.kind === kindName);
  const fields = kind?.fields ?? [];
  const form = useForm({
    fields: ["kind", "name", ...fields.map(inputName)],
    validate: (values) => requiredFieldErrors(values, { name: "Name the integration" }),
    submit: async (values) => {
      const { config, credentials } = splitValues(fields, values);
      const answer = integration
        ? await api.call(integrationRoutes.update, {
            params: { id: workspaceId, integrationId: integration.id },
            body: { name: values.name ?? "", config, credentials },
          })
        : await api.call(integrationRoutes.create, {
            params: { id: workspaceId },
            body: { kind: kindName, name: values.name ?? "", config, credentials } as never,
          });
      onSaved(answer.integration);
    },
  });
  return (
    <form {...form.formProps}>
      <FormAlert errors={form.errors} title="Could not save the integration" />
      {integration ? (
        <p className="nora-muted">Kind: {kind?.label ?? integration.kind}</p>
      ) : (
        <SelectField
          label="Kind"
          name="kind"
          options={catalog.integrations.map((k) => ({ value: k.kind, label: k.label }))}
          value={kindName}
          onChange={(event) => setKindName(event.currentTarget.value)}
          hint={kind?.description}
          error={form.errors.fields.kind}
        />
      )}
      <Field
        label="Name"
        name="name"
        required
        autoComplete="off"
        defaultValue={integration?.name ?? ""}
        error={form.errors.fields.name}
        data-autofocus=""
      />
      {fields.map((field) => (
        <CatalogInput
          key={`${kindName}:${inputName(field)}`}
          field={field}
          {...(integration ? { integration } : {})}
          {...(form.errors.fields[inputName(field)] ? { error: form.errors.fields[inputName(field)] } : {})}
        />
      ))}
      <div className="nora-row-actions">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={form.submitting}>
          {integration ? "Save" : "Add integration"}
        </Button>
      </div>
    </form>
  );
}
