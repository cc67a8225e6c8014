import { isApiError } from "@nora/api-client";
import type { ServiceType } from "@nora/api-contract";
import type { FormErrors } from "@nora/ui";
import type { Cluster } from "../types";

export const CLUSTER_FIELDS = [
  "name",
  "namespace",
  "kubeconfig",
  "serviceType",
  "storageClass",
  "isDefault",
] as const;

export interface CreateBody {
  name: string;
  namespace: string;
  kubeconfig: string;
  serviceType?: ServiceType;
  storageClass?: string;
  isDefault?: boolean;
}
export type UpdateBody = Partial<Omit<CreateBody, "storageClass">> & { storageClass?: string | null };

const serviceTypeOf = (value: string | undefined): ServiceType | undefined =>
  value === "ClusterIP" || value === "NodePort" || value === "LoadBalancer" ? value : undefined;

/** Required fields, before sending: a new cluster needs a name, a namespace and a kubeconfig. */
export function validateCluster(
  values: Readonly<Record<string, string | undefined>>,
  creating: boolean,
): FormErrors {
  const fields: Record<string, string> = {};
  if (!(values.name ?? "").trim()) fields.name = "Name the cluster";
  if (!(values.namespace ?? "").trim()) fields.namespace = "Give the namespace agents run in";
  if (creating && !(values.kubeconfig ?? "").trim()) fields.kubeconfig = "Paste the kubeconfig";
  return { fields, form: [] };
}

/** The create body: the kubeconfig exactly as pasted, optional fields only when set. */
export function createBody(values: Readonly<Record<string, string | undefined>>): CreateBody {
  const body: CreateBody = {
    name: (values.name ?? "").trim(),
    namespace: (values.namespace ?? "").trim(),
    kubeconfig: values.kubeconfig ?? "",
  };
  const serviceType = serviceTypeOf(values.serviceType);
  if (serviceType) body.serviceType = serviceType;
  if ((values.storageClass ?? "").trim()) body.storageClass = (values.storageClass ?? "").trim();
  if (values.isDefault === "on") body.isDefault = true;
  return body;
}

/**
 * The update body: only what changed. An empty kubeconfig keeps the stored one; an emptied storage
 * class returns to the cluster's default class (null).
 */
export function updateBody(
  values: Readonly<Record<string, string | undefined>>,
  original: Cluster,
): UpdateBody {
  const body: UpdateBody = {};
  const name = (values.name ?? "").trim();
  const namespace = (values.namespace ?? "").trim();
  if (name && name !== original.name) body.name = name;
  if (namespace && namespace !== original.namespace) body.namespace = namespace;
  if ((values.kubeconfig ?? "").trim()) body.kubeconfig = values.kubeconfig ?? "";
  const serviceType = serviceTypeOf(values.serviceType);
  if (serviceType && serviceType !== original.serviceType) body.serviceType = serviceType;
  const storageClass = (values.storageClass ?? "").trim() || null;
  if (storageClass !== original.storageClass) body.storageClass = storageClass;
  const isDefault = values.isDefault === "on";
  if (isDefault !== original.isDefault) body.isDefault = isDefault;
  return body;
}

/**
 * A refused kubeconfig becomes the kubeconfig field's own error, naming the broken rule (the API
 * says which in `details.rule`); every other refusal passes through for the form to show.
 */
export function kubeconfigRefusal(error: unknown): unknown {
  if (!isApiError(error) || error.code !== "kubeconfig_invalid") return error;
  const rule = (error.details as { rule?: unknown } | undefined)?.rule;
  return {
    error: "validation_failed",
    message: error.message,
    ...(error.requestId ? { requestId: error.requestId } : {}),
    details: [
      {
        path: "kubeconfig",
        message: typeof rule === "string" ? `${error.message} (rule: ${rule})` : error.message,
      },
    ],
  };
}
