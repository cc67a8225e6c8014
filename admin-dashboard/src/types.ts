import type { CallOutput } from "@nora/api-client";
import type {
  adminRoutes,
  clusterRoutes,
  fleetRoutes,
  keyRotationRoutes,
  queueRoutes,
} from "@nora/api-contract";

/** The answers' shapes, named once for the pages (types only: nothing here reaches a bundle). */
export type AdminUser = CallOutput<typeof adminRoutes.users>["users"][number];
export type FleetAgent = CallOutput<typeof adminRoutes.agents>["agents"][number];
export type AuditRecord = CallOutput<typeof adminRoutes.audit>["records"][number];
export type SettingsAnswer = CallOutput<typeof adminRoutes.settings>;
export type FailedJob = CallOutput<typeof queueRoutes.failed>["jobs"][number];
export type FleetResult = CallOutput<typeof fleetRoutes.restart>["results"][number];
export type KeyUsage = CallOutput<typeof keyRotationRoutes.keys>;
export type Rotation = NonNullable<CallOutput<typeof keyRotationRoutes.status>["rotation"]>;
export type Cluster = CallOutput<typeof clusterRoutes.list>["clusters"][number];
export type ClusterCheck = CallOutput<typeof clusterRoutes.test>;
