"use client";

import { clusterRoutes, SERVICE_TYPES } from "@nora/api-contract";
import { Button, Field, FormAlert, SelectField, TextAreaField, useForm } from "@nora/ui";
import { api } from "../api";
import type { Cluster } from "../types";
import { CLUSTER_FIELDS, createBody, kubeconfigRefusal, updateBody, validateCluster } from "./cluster-body";

/**
 * Adds a cluster (`original` absent) or edits one. The kubeconfig is sent once and never shown again:
 * editing leaves the field empty, and an empty field keeps the stored one.
 */
export function ClusterForm({
  original,
  onSaved,
  onCancel,
}: {
  original?: Cluster;
  onSaved: (cluster: Cluster) => void;
  onCancel: () => void;
}) {
  const creating = original === undefined;
  const { formProps, errors, submitting } = useForm({
    fields: CLUSTER_FIELDS,
    validate: (values) => validateCluster(values, creating),
    submit: async (values) => {
      try {
        const { cluster } = original
          ? await api.call(clusterRoutes.update, {
              params: { clusterId: original.id },
              body: updateBody(values, original),
            })
          : await api.call(clusterRoutes.create, { body: createBody(values) });
        onSaved(cluster);
      } catch (error) {
        throw kubeconfigRefusal(error);
      }
    },
  });
  const fileCluster = original?.source === "file";
  return (
    <form {...formProps} className="nora-stack">
      <FormAlert
        errors={errors}
        title={creating ? "Could not add the cluster" : "Could not save the cluster"}
      />
      <Field
        label="Name"
        name="name"
        required
        defaultValue={original?.name}
        error={errors.fields.name}
        maxLength={100}
        data-autofocus=""
      />
      <Field
        label="Namespace"
        name="namespace"
        required
        defaultValue={original?.namespace ?? "nora-agents"}
        error={errors.fields.namespace}
        hint={
          fileCluster
            ? "Set by the provisioner's configuration for this cluster"
            : "Where the agents' objects are created"
        }
        readOnly={fileCluster}
      />
      {fileCluster ? null : (
        <TextAreaField
          label="Kubeconfig"
          name="kubeconfig"
          required={creating}
          error={errors.fields.kubeconfig}
          hint={
            creating
              ? "Paste the file (YAML or JSON). It is sealed on arrival and never shown again; exec plugins and file paths are refused."
              : "Leave empty to keep the stored kubeconfig; paste a new one to replace it."
          }
          spellCheck={false}
          autoComplete="off"
          rows={10}
        />
      )}
      <SelectField
        label="Service type"
        name="serviceType"
        defaultValue={original?.serviceType ?? "ClusterIP"}
        options={SERVICE_TYPES.map((t) => ({ value: t, label: t }))}
        error={errors.fields.serviceType}
      />
      <Field
        label="Storage class"
        name="storageClass"
        defaultValue={original?.storageClass ?? ""}
        hint="Empty: the cluster's default class"
        error={errors.fields.storageClass}
      />
      <label className="nora-checkbox">
        <input type="checkbox" name="isDefault" defaultChecked={original?.isDefault ?? false} />
        <span>Default cluster for new Kubernetes agents</span>
      </label>
      <div className="nora-dialog-actions">
        <Button variant="secondary" onClick={onCancel} disabled={submitting}>
          Cancel
        </Button>
        <Button type="submit" loading={submitting}>
          {creating ? "Add cluster" : "Save cluster"}
        </Button>
      </div>
    </form>
  );
}
