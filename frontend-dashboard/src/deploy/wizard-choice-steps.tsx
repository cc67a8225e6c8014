"use client";

import { ChoiceCards, Field } from "@nora/ui";
import type { RuntimeCatalog } from "./catalog";
import { type Draft, familyUnavailable, profileUnavailable, targetUnavailable } from "./wizard-steps";

export interface StepProps {
  draft: Draft;
  catalog: RuntimeCatalog;
  errors: Record<string, string>;
  update: (patch: Partial<Draft>) => void;
}

const maturityTag = (maturity: string | null | undefined) =>
  maturity && maturity !== "ga" && maturity !== "stable" ? maturity : undefined;

const FAMILY_WORDS: Record<string, string> = {
  openclaw: "The default agent runtime: a gateway with its Control UI, channels and skills.",
  hermes: "A Hermes runtime with its own dashboard.",
};
const TARGET_WORDS: Record<string, string> = {
  docker: "A container on this server's Docker engine.",
  k8s: "A pod on a registered Kubernetes cluster.",
  proxmox: "A Proxmox VM (not released yet).",
};
const PROFILE_WORDS: Record<string, string> = {
  standard: "The usual sandbox.",
  nemoclaw: "Hardened: stricter seccomp and capabilities, read-only root, egress only to the allowlist.",
};

export function RuntimeStep({ draft, catalog, errors, update }: StepProps) {
  return (
    <>
      <Field
        label="Agent name"
        name="name"
        required
        maxLength={100}
        autoComplete="off"
        value={draft.name}
        hint="Unique in this workspace."
        error={errors.name}
        onChange={(event) => update({ name: event.currentTarget.value })}
      />
      <ChoiceCards
        legend="Runtime family"
        name="family"
        value={draft.family}
        error={errors.family}
        onChange={(family) => update({ family })}
        choices={catalog.families.map((f) => ({
          value: f.name,
          label: f.name,
          tag: maturityTag(f.maturity),
          description: FAMILY_WORDS[f.name],
          unavailableReason: familyUnavailable(catalog, f.name),
        }))}
      />
    </>
  );
}

export function TargetStep({ draft, catalog, errors, update }: StepProps) {
  return (
    <ChoiceCards
      legend="Deploy target"
      name="target"
      value={draft.target}
      error={errors.target}
      onChange={(target) => update({ target })}
      choices={catalog.targets.map((t) => ({
        value: t.name,
        label: t.name,
        tag: maturityTag(t.maturity),
        description: TARGET_WORDS[t.name],
        unavailableReason: targetUnavailable(catalog, draft.family, t.name),
      }))}
    />
  );
}

export function ProfileStep({ draft, catalog, errors, update }: StepProps) {
  return (
    <ChoiceCards
      legend="Sandbox profile"
      name="profile"
      value={draft.profile}
      error={errors.profile}
      onChange={(profile) => update({ profile })}
      choices={catalog.profiles.map((p) => ({
        value: p.name,
        label: p.name,
        tag: maturityTag(p.maturity),
        description: PROFILE_WORDS[p.name],
        unavailableReason: profileUnavailable(catalog, draft, p.name),
      }))}
    />
  );
}

export function ResourcesStep({ draft, errors, update }: Omit<StepProps, "catalog">) {
  return (
    <div className="nora-grid-2">
      <Field
        label="vCPU"
        name="vcpu"
        inputMode="decimal"
        placeholder="server default"
        value={draft.vcpu}
        hint="0.1 to 256; fractions allowed."
        error={errors.vcpu}
        onChange={(event) => update({ vcpu: event.currentTarget.value })}
      />
      <Field
        label="Memory (MB)"
        name="memoryMb"
        inputMode="numeric"
        placeholder="server default"
        value={draft.memoryMb}
        hint="128 MB or more; a family may need more."
        error={errors.memoryMb}
        onChange={(event) => update({ memoryMb: event.currentTarget.value })}
      />
      <Field
        label="Disk (GB)"
        name="diskGb"
        inputMode="numeric"
        placeholder="server default"
        value={draft.diskGb}
        error={errors.diskGb}
        onChange={(event) => update({ diskGb: event.currentTarget.value })}
      />
    </div>
  );
}
