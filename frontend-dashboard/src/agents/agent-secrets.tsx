"use client";

import type { CallOutput } from "@nora/api-client";
import { agentRoutes } from "@nora/api-contract";
import {
  Button,
  type Column,
  Field,
  FormAlert,
  requiredFieldErrors,
  Table,
  useForm,
  useToast,
} from "@nora/ui";
import { useCallback, useEffect, useState } from "react";
import { api } from "../api";
import { errorToast } from "./agent-errors";
import { formatDateTime } from "./format";

type Secret = CallOutput<typeof agentRoutes.secrets>["secrets"][number];

const FIELDS = ["name", "value"] as const;
export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

export function validateSecret(values: Record<string, string>) {
  const errors = requiredFieldErrors(values, { name: "Name the secret", value: "Give the secret a value" });
  const name = values.name?.trim() ?? "";
  if (name && !SECRET_NAME.test(name)) {
    errors.fields.name = "Upper-case letters, digits and _, starting with a letter (at most 64)";
  }
  return errors;
}

/**
 * The agent's secret overrides: names and hints only. A value is write-only: typed, sent, cleared;
 * never shown back or kept in the page. They reach the runtime on the next redeploy.
 */
export function AgentSecrets({ agentId, editBlocked }: { agentId: string; editBlocked: string | null }) {
  const toast = useToast();
  const [secrets, setSecrets] = useState<readonly Secret[]>([]);
  const [loading, setLoading] = useState(true);
  const load = useCallback(async () => {
    try {
      setSecrets((await api.call(agentRoutes.secrets, { params: { agentId } })).secrets);
    } catch (error) {
      toast.show(errorToast("Could not load the secrets", error));
    } finally {
      setLoading(false);
    }
  }, [agentId, toast]);
  useEffect(() => {
    void load();
  }, [load]);

  const submit = useCallback(
    async (values: Record<string, string>) => {
      const name = (values.name ?? "").trim();
      await api.call(agentRoutes.setSecret, {
        params: { agentId, name },
        body: { value: values.value ?? "" },
      });
      toast.show({
        tone: "success",
        title: `Secret ${name} saved`,
        message: "It applies on the next redeploy.",
      });
      await load();
    },
    [agentId, load, toast],
  );
  const form = useForm({ fields: FIELDS, validate: validateSecret, submit });
  // A value never stays in the form once sent.
  useEffect(() => {
    if (form.state.status === "succeeded") form.formProps.ref.current?.reset();
  }, [form.state, form.formProps.ref]);

  const remove = async (name: string) => {
    try {
      await api.call(agentRoutes.removeSecret, { params: { agentId, name } });
      toast.show({ tone: "success", title: `Secret ${name} removed` });
      await load();
    } catch (error) {
      toast.show(errorToast(`Could not remove ${name}`, error));
    }
  };

  const columns: Column<Secret>[] = [
    {
      key: "name",
      header: "Name",
      rowHeader: true,
      sortValue: (s) => s.name,
      cell: (s) => <code>{s.name}</code>,
    },
    { key: "hint", header: "Value", cell: (s) => (s.hint ? `set, ends in …${s.hint}` : "set") },
    {
      key: "updated",
      header: "Updated",
      sortValue: (s) => s.updatedAt,
      cell: (s) => formatDateTime(s.updatedAt),
    },
    {
      key: "remove",
      header: <span className="nora-visually-hidden">Actions</span>,
      cell: (s) => (
        <Button
          size="sm"
          variant="secondary"
          disabled={editBlocked !== null}
          title={editBlocked ?? undefined}
          onClick={() => void remove(s.name)}
        >
          Remove {s.name}
        </Button>
      ),
    },
  ];
  return (
    <>
      <Table
        caption="Secret overrides"
        captionHidden
        columns={columns}
        rows={secrets}
        rowKey={(s) => s.name}
        loading={loading}
        emptyMessage="No secret overrides: the agent gets the workspace's defaults."
      />
      <SecretForm form={form} editBlocked={editBlocked} />
    </>
  );
}

export function SecretForm({
  form,
  editBlocked,
}: {
  form: Pick<ReturnType<typeof useForm>, "errors" | "formProps" | "submitting">;
  editBlocked: string | null;
}) {
  return (
    <form {...form.formProps} aria-label="Set a secret" className="nora-grid-2">
      <FormAlert errors={form.errors} title="Could not save the secret" />
      <Field
        label="Name"
        name="name"
        required
        autoComplete="off"
        spellCheck={false}
        placeholder="GITHUB_TOKEN"
        error={form.errors.fields.name}
        disabled={editBlocked !== null}
      />
      <Field
        label="Value"
        name="value"
        type="password"
        required
        autoComplete="new-password"
        hint="Write-only: never shown again."
        error={form.errors.fields.value}
        disabled={editBlocked !== null}
      />
      <div>
        <Button
          type="submit"
          loading={form.submitting}
          disabled={editBlocked !== null}
          title={editBlocked ?? undefined}
        >
          Save secret
        </Button>
      </div>
    </form>
  );
}
