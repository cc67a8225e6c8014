"use client";

import { workspaceRoutes } from "@nora/api-contract";
import { Button, Field, FormAlert, requiredFieldErrors, useForm } from "@nora/ui";
import { useRouter } from "next/navigation";
import { useCallback } from "react";
import { api } from "../api";
import { paths } from "../paths";
import { rememberWorkspace, workspacesStore } from "../workspaces";

const FIELDS = ["name"] as const;

export const validateWorkspace = (values: Record<string, string>) =>
  requiredFieldErrors(values, { name: "Name the workspace" });

/** Creates a workspace (the caller becomes its owner), tells the switcher, then opens its agents. */
export function NewWorkspaceScreen() {
  const router = useRouter();
  const submit = useCallback(
    async (values: Record<string, string>) => {
      const { workspace } = await api.call(workspaceRoutes.create, { body: { name: values.name ?? "" } });
      await workspacesStore.reload();
      rememberWorkspace(workspace.id);
      router.push(paths.agents(workspace.id));
    },
    [router],
  );
  const form = useForm({ fields: FIELDS, validate: validateWorkspace, submit });
  return <NewWorkspaceForm form={form} />;
}

export function NewWorkspaceForm({
  form,
}: {
  form: Pick<ReturnType<typeof useForm>, "errors" | "formProps" | "submitting">;
}) {
  return (
    <section className="nora-panel" aria-labelledby="new-workspace-title">
      <h1 id="new-workspace-title">New workspace</h1>
      <p className="nora-muted">
        A workspace holds agents, their providers and integrations, and the people who work on them.
      </p>
      <form {...form.formProps}>
        <FormAlert errors={form.errors} title="Could not create the workspace" />
        <Field
          label="Name"
          name="name"
          required
          maxLength={100}
          autoComplete="off"
          error={form.errors.fields.name}
        />
        <Button type="submit" loading={form.submitting}>
          Create workspace
        </Button>
      </form>
    </section>
  );
}
