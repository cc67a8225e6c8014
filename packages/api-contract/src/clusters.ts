import { z } from "zod";
import { opaqueText, singleLineText } from "./primitives.js";
import { defineRoute, empty } from "./route.js";
import { timestamp } from "./wire.js";

/* Kubernetes clusters (platform admins) and the runtime catalog (anyone signed in). */

export const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const clusterParams = z.strictObject({ clusterId: z.uuid() });

const clusterName = singleLineText({ max: 100, min: 1, trim: true });
const namespace = singleLineText({ max: 63, min: 1 }).regex(
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  "must be a Kubernetes namespace name (lowercase letters, digits and -)",
);
const storageClass = singleLineText({ max: 253, min: 1 }).regex(
  /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
  "must be a Kubernetes storage class name",
);
/** The kubeconfig's YAML (or JSON) as pasted: kept exactly, sealed on arrival, never returned. */
const kubeconfig = opaqueText({ max: 256 * 1024, min: 1 });

export const createClusterBody = z.strictObject({
  name: clusterName,
  namespace,
  kubeconfig,
  serviceType: z.enum(SERVICE_TYPES).optional(),
  storageClass: storageClass.optional(),
  isDefault: z.boolean().optional(),
});
export type CreateClusterInput = z.infer<typeof createClusterBody>;

/** Omitted fields are kept; `storageClass: null` returns to the cluster's default class. */
export const updateClusterBody = z.strictObject({
  name: clusterName.optional(),
  namespace: namespace.optional(),
  kubeconfig: kubeconfig.optional(),
  serviceType: z.enum(SERVICE_TYPES).optional(),
  storageClass: storageClass.nullable().optional(),
  isDefault: z.boolean().optional(),
});
export type UpdateClusterInput = z.infer<typeof updateClusterBody>;

/** The stored result of a connectivity check (no secrets: verbs, versions and words). */
export const clusterCheck = z.object({
  reachable: z.boolean(),
  version: z.string().nullable(),
  namespaceExists: z.boolean().nullable(),
  permissions: z.array(
    z.object({ verb: z.string(), group: z.string(), resource: z.string(), allowed: z.boolean() }),
  ),
  missing: z.array(z.object({ verb: z.string(), group: z.string(), resource: z.string() })),
  ok: z.boolean(),
  message: z.string(),
});
export type ClusterCheckResult = z.infer<typeof clusterCheck>;

/** A cluster as admins see it: whether a kubeconfig is stored, never the kubeconfig. */
export const cluster = z.object({
  id: z.uuid(),
  name: z.string(),
  namespace: z.string(),
  source: z.enum(["api", "file"]),
  hasKubeconfig: z.boolean(),
  /** host:port of the API server (null for a file cluster the provisioner has not described yet). */
  serverHost: z.string().nullable(),
  serviceType: z.enum(SERVICE_TYPES),
  storageClass: z.string().nullable(),
  isDefault: z.boolean(),
  lastCheck: clusterCheck.nullable(),
  lastCheckedAt: timestamp.nullable(),
  /** E.g. TLS verification is skipped (KUBERNETES_ALLOW_INSECURE_TLS). */
  warnings: z.array(z.string()),
  /** Agents recorded on this cluster (a cluster with agents cannot be deleted). */
  agentCount: z.number().int(),
  createdBy: z.uuid().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const clusterResponse = z.object({ cluster });
export const clustersResponse = z.object({ clusters: z.array(cluster) });
export const clusterCheckResponse = z.object({ check: clusterCheck, checkedAt: timestamp });

const availability = z.object({ available: z.boolean(), reason: z.string().nullable() });

/** The runtime catalog with this installation's availability (k8s: a usable cluster). */
export const runtimeCatalogResponse = z.object({
  families: z.array(
    z
      .object({
        name: z.string(),
        maturity: z.string(),
        /** What Nora offers for this family's agents (the UI hides the rest). */
        features: z.array(z.string()),
        /** Where its web UI is served: the gateway port, or a separate dashboard. */
        webUi: z.enum(["gateway", "dashboard"]),
        /** The smallest context window it accepts for a default model, or null. */
        minContextTokens: z.number().int().nullable(),
      })
      .merge(availability),
  ),
  targets: z.array(z.object({ name: z.string(), maturity: z.string() }).merge(availability)),
  profiles: z.array(z.object({ name: z.string(), maturity: z.string() }).merge(availability)),
  combinations: z.array(
    z
      .object({
        id: z.string(),
        family: z.string(),
        target: z.string(),
        profile: z.string(),
        maturity: z.string().nullable(),
      })
      .merge(availability),
  ),
});

const ADMIN = { kind: "platformAdmin" } as const;

export const clusterRoutes = {
  list: defineRoute({
    method: "GET",
    path: "/api/admin/clusters",
    requirement: ADMIN,
    summary: "Kubernetes clusters, with their last connectivity check (never a kubeconfig)",
    responses: { 200: clustersResponse },
  }),
  get: defineRoute({
    method: "GET",
    path: "/api/admin/clusters/:clusterId",
    requirement: ADMIN,
    summary: "One cluster",
    params: clusterParams,
    responses: { 200: clusterResponse },
  }),
  create: defineRoute({
    method: "POST",
    path: "/api/admin/clusters",
    requirement: ADMIN,
    summary: "Store a cluster; its kubeconfig may not run programs or read files (400 names the rule)",
    body: createClusterBody,
    responses: { 201: clusterResponse },
  }),
  update: defineRoute({
    method: "PATCH",
    path: "/api/admin/clusters/:clusterId",
    requirement: ADMIN,
    summary: "Change a cluster; the kubeconfig can be replaced, never read",
    params: clusterParams,
    body: updateClusterBody,
    responses: { 200: clusterResponse },
  }),
  remove: defineRoute({
    method: "DELETE",
    path: "/api/admin/clusters/:clusterId",
    requirement: ADMIN,
    summary: "Delete a cluster (409 while agents use it)",
    params: clusterParams,
    responses: { 204: empty },
  }),
  test: defineRoute({
    method: "POST",
    path: "/api/admin/clusters/:clusterId/test",
    requirement: ADMIN,
    summary: "Run the connectivity check in the provisioner and answer its result (503 if none answers)",
    params: clusterParams,
    responses: { 200: clusterCheckResponse },
  }),
};

export const catalogRoutes = {
  runtimes: defineRoute({
    method: "GET",
    path: "/api/catalog/runtimes",
    requirement: { kind: "authenticated" },
    summary: "Runtime families, deploy targets and sandbox profiles, with maturity and availability here",
    responses: { 200: runtimeCatalogResponse },
  }),
};
