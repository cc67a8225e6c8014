"use client";

import type { CallOutput } from "@nora/api-client";
import {
  PROVIDER_KINDS,
  type ProviderKind,
  providerRoutes,
  SELF_HOSTED_PROVIDER_KINDS,
} from "@nora/api-contract";
import { Button, Field, FormAlert, type FormValues, PasswordField, SelectField, useForm } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";

export type Provider = CallOutput<typeof providerRoutes.list>["providers"][number];

const FIELDS = ["kind", "name", "apiKey", "baseUrl", "defaultModel", "isDefault"] as const;

export const PROVIDER_LABELS: Record<ProviderKind, string> = {
  anthropic: "Anthropic",
  openai: "OpenAI",
  gemini: "Google Gemini",
  openrouter: "OpenRouter",
  mistral: "Mistral",
  groq: "Groq",
  ollama: "Ollama (self-hosted)",
  openai_compatible: "OpenAI-compatible server",
};
const KIND_OPTIONS = PROVIDER_KINDS.map((kind) => ({ value: kind, label: PROVIDER_LABELS[kind] }));

const text = (values: FormValues, name: string): string | undefined => {
  const value = (values[name] ?? "").trim();
  return value === "" ? undefined : value;
};

/** The create body from the form: empty fields are left out, the contract says which the kind needs. */
export function createBodyOf(values: FormValues) {
  const kind = (values.kind ?? "openai") as ProviderKind;
  const apiKey = text(values, "apiKey");
  const baseUrl = text(values, "baseUrl");
  const defaultModel = text(values, "defaultModel");
  return {
    kind,
    name: values.name ?? "",
    ...(apiKey ? { apiKey } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(defaultModel ? { defaultModel } : {}),
    isDefault: values.isDefault === "on",
  };
}

/** The update body: an empty key field keeps the stored key; emptied optional fields are cleared. */
export function updateBodyOf(values: FormValues) {
  const apiKey = text(values, "apiKey");
  return {
    name: values.name ?? "",
    ...(apiKey ? { apiKey } : {}),
    baseUrl: text(values, "baseUrl") ?? null,
    defaultModel: text(values, "defaultModel") ?? null,
  };
}

/** Add a provider, or edit one (`provider`): the key is write-only, never shown or prefilled. */
export function ProviderForm({
  workspaceId,
  provider,
  onSaved,
  onCancel,
}: {
  workspaceId: string;
  provider?: Provider;
  onSaved: (provider: Provider) => void;
  onCancel: () => void;
}) {
  const [kind, setKind] = useState<ProviderKind>(provider?.kind ?? "openai");
  const selfHosted = SELF_HOSTED_PROVIDER_KINDS.includes(kind);
  const form = useForm({
    fields: FIELDS,
    submit: async (values) => {
      const answer = provider
        ? await api.call(providerRoutes.update, {
            params: { id: workspaceId, providerId: provider.id },
            body: updateBodyOf(values),
          })
        : await api.call(providerRoutes.create, { params: { id: workspaceId }, body: createBodyOf(values) });
      onSaved(answer.provider);
    },
  });
  const keyHint = provider?.keySet
    ? `A key ending ${provider.keyHint ?? "…"} is stored. Leave empty to keep it; type a new one to replace it.`
    : selfHosted
      ? "Optional for a self-hosted server."
      : "Stored encrypted; never shown again.";
  return (
    <form {...form.formProps}>
      <FormAlert
        errors={form.errors}
        title={provider ? "Could not save the provider" : "Could not add the provider"}
      />
      {provider ? (
        <p className="nora-muted">Kind: {PROVIDER_LABELS[provider.kind]}</p>
      ) : (
        <SelectField
          label="Kind"
          name="kind"
          options={KIND_OPTIONS}
          value={kind}
          onChange={(event) => setKind(event.currentTarget.value as ProviderKind)}
          error={form.errors.fields.kind}
        />
      )}
      <Field
        label="Name"
        name="name"
        required
        autoComplete="off"
        defaultValue={provider?.name ?? ""}
        error={form.errors.fields.name}
        data-autofocus=""
      />
      <PasswordField
        label="API key"
        name="apiKey"
        autoComplete="off"
        required={!selfHosted && !provider?.keySet}
        hint={keyHint}
        error={form.errors.fields.apiKey}
      />
      <Field
        label="Base URL"
        name="baseUrl"
        type="url"
        autoComplete="off"
        required={selfHosted}
        defaultValue={provider?.baseUrl ?? ""}
        hint={
          selfHosted
            ? "Where your server answers, e.g. http://ollama:11434"
            : "Optional: a proxy in front of the provider."
        }
        error={form.errors.fields.baseUrl}
      />
      <Field
        label="Default model"
        name="defaultModel"
        autoComplete="off"
        defaultValue={provider?.defaultModel ?? ""}
        error={form.errors.fields.defaultModel}
      />
      {provider ? null : (
        <label className="nora-checkbox">
          <input type="checkbox" name="isDefault" /> Make it the workspace's default provider
        </label>
      )}
      <div className="nora-row-actions">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={form.submitting}>
          {provider ? "Save" : "Add provider"}
        </Button>
      </div>
    </form>
  );
}
