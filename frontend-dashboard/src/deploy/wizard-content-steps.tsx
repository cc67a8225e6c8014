"use client";

import type { CallOutput } from "@nora/api-client";
import type { providerRoutes } from "@nora/api-contract";
import { Button, ChoiceCards, Field, FieldError, Notice } from "@nora/ui";
import Link from "next/link";
import { formatMemory } from "../agents/format";
import { paths } from "../paths";
import type { StepProps } from "./wizard-choice-steps";
import type { Draft } from "./wizard-steps";

export type Provider = CallOutput<typeof providerRoutes.list>["providers"][number];

export function ProvidersStep({
  draft,
  errors,
  update,
  providers,
  workspaceId,
}: Omit<StepProps, "catalog"> & { providers: readonly Provider[] | undefined; workspaceId: string }) {
  if (providers === undefined) return <p className="nora-loading">Loading the workspace's providers…</p>;
  if (providers.length === 0) {
    return (
      <Notice tone="warning" title="This workspace has no LLM provider yet">
        The agent can be deployed without one and receive providers later (Settings → Sync providers).{" "}
        <Link href={paths.settings(workspaceId, "providers")}>Add a provider</Link>
      </Notice>
    );
  }
  const toggle = (id: string, on: boolean) =>
    update({ providerIds: on ? [...draft.providerIds, id] : draft.providerIds.filter((p) => p !== id) });
  return (
    <>
      <ChoiceCards
        legend="Which providers the agent receives"
        name="providers"
        value={draft.providers}
        onChange={(value) => update({ providers: value as Draft["providers"] })}
        choices={[
          {
            value: "all",
            label: "All of them",
            description: "Every provider of the workspace, now and later.",
          },
          { value: "chosen", label: "Only those I choose" },
        ]}
      />
      {draft.providers === "chosen" ? (
        <fieldset className="nora-choices" aria-invalid={errors.providerIds ? true : undefined}>
          <legend className="nora-field-label">Providers</legend>
          {providers.map((provider) => (
            <label key={provider.id} className="nora-choice">
              <input
                type="checkbox"
                name="providerIds"
                value={provider.id}
                checked={draft.providerIds.includes(provider.id)}
                onChange={(event) => toggle(provider.id, event.currentTarget.checked)}
              />
              <span className="nora-choice-body">
                <span className="nora-choice-label">{provider.name}</span>
                <span className="nora-choice-description">
                  {provider.kind}
                  {provider.defaultModel ? ` · ${provider.defaultModel}` : ""}
                  {provider.keySet ? "" : " · no key set"}
                </span>
              </span>
            </label>
          ))}
          {errors.providerIds ? <FieldError id="provider-ids-error">{errors.providerIds}</FieldError> : null}
        </fieldset>
      ) : null}
    </>
  );
}

export function TemplateStep({ draft, errors, update }: Omit<StepProps, "catalog">) {
  const setFile = (index: number, patch: Partial<Draft["files"][number]>) =>
    update({ files: draft.files.map((f, i) => (i === index ? { ...f, ...patch } : f)) });
  return (
    <>
      <p className="nora-muted">
        Files written into the agent's workspace before it starts (AGENTS.md, skills, configuration). Up to 32
        files, 256 KiB each. Optional.
      </p>
      {draft.files.map((file, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place while edited.
        <div key={index} className="nora-panel">
          <Field
            label={`File ${index + 1} path`}
            name={`files.${index}`}
            value={file.path}
            placeholder="AGENTS.md"
            error={errors[`files.${index}`] ?? errors[`template.${file.path}`]}
            onChange={(event) => setFile(index, { path: event.currentTarget.value })}
          />
          <div className="nora-field">
            <label className="nora-field-label" htmlFor={`template-content-${index}`}>
              File {index + 1} content
            </label>
            <textarea
              id={`template-content-${index}`}
              className="nora-input nora-textarea"
              value={file.content}
              onChange={(event) => setFile(index, { content: event.currentTarget.value })}
            />
          </div>
          <Button
            variant="secondary"
            size="sm"
            onClick={() => update({ files: draft.files.filter((_, i) => i !== index) })}
          >
            Remove file {index + 1}
          </Button>
        </div>
      ))}
      {errors.template ? <FieldError id="template-error">{errors.template}</FieldError> : null}
      <Button
        variant="secondary"
        disabled={draft.files.length >= 32}
        onClick={() => update({ files: [...draft.files, { path: "", content: "" }] })}
      >
        Add a file
      </Button>
    </>
  );
}

export function ReviewStep({
  draft,
  providers,
}: {
  draft: Draft;
  providers: readonly Provider[] | undefined;
}) {
  const chosen = (providers ?? []).filter((p) => draft.providerIds.includes(p.id)).map((p) => p.name);
  const orDefault = (text: string, show: (n: number) => string) =>
    text.trim() === "" ? "server default" : show(Number(text));
  return (
    <dl className="nora-review">
      <dt>Name</dt>
      <dd>{draft.name.trim()}</dd>
      <dt>Family</dt>
      <dd>{draft.family}</dd>
      <dt>Target</dt>
      <dd>{draft.target}</dd>
      <dt>Profile</dt>
      <dd>{draft.profile}</dd>
      <dt>vCPU</dt>
      <dd>{orDefault(draft.vcpu, String)}</dd>
      <dt>Memory</dt>
      <dd>{orDefault(draft.memoryMb, formatMemory)}</dd>
      <dt>Disk</dt>
      <dd>{orDefault(draft.diskGb, (n) => `${n} GB`)}</dd>
      <dt>Providers</dt>
      <dd>{draft.providers === "all" ? "All of the workspace's" : chosen.join(", ") || "none"}</dd>
      <dt>Template files</dt>
      <dd>{draft.files.length === 0 ? "none" : draft.files.map((f) => f.path.trim()).join(", ")}</dd>
    </dl>
  );
}
