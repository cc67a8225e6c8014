import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type {
  V1ConfigMap,
  V1Deployment,
  V1KeyToPath,
  V1NetworkPolicy,
  V1NetworkPolicyEgressRule,
  V1NetworkPolicyPeer,
  V1OwnerReference,
  V1PersistentVolumeClaim,
  V1Secret,
  V1Service,
} from "@kubernetes/client-node";
import {
  RUNTIME_CONTAINER_DEFAULTS,
  RUNTIME_GID,
  RUNTIME_HOSTNAME,
  RUNTIME_LAYOUT,
  RUNTIME_ROUTES,
  RUNTIME_UID,
  type RuntimeFile,
  type SandboxProfile,
} from "@nora/agent-runtime";
import { DOCKER_LABELS, endpointUrls } from "./docker-spec.js";
import { BackendError } from "./errors.js";
import { commonSpecIssues, validPort } from "./spec-checks.js";
import type { RuntimeEndpoints, RuntimePorts, RuntimeSpec } from "./types.js";

/**
 * Pure builders of the objects the Kubernetes backend applies for one agent (docs/kubernetes.md):
 * an anchor ConfigMap every other object names as its owner, a Secret, a bootstrap ConfigMap, a PVC,
 * a Deployment, a Service and a NetworkPolicy. No I/O: kubernetes.ts applies them.
 */

/** The same label keys as the Docker backend's: one vocabulary for "what Nora made". */
export const KUBE_LABELS = DOCKER_LABELS;

/** Annotations on the pod template. */
export const KUBE_ANNOTATIONS = {
  /** sha256 of the bootstrap files, secret files and env: a change rolls the pod. */
  contentHash: "nora.content-hash",
  /** Set by restart() under its own field manager: bumping it rolls the pod. */
  restartedAt: "nora.restarted-at",
} as const;

export type KubeServiceType = "ClusterIP" | "NodePort" | "LoadBalancer";

export interface EgressRule {
  /** An IPv4 or IPv6 CIDR. */
  cidr: string;
  /** TCP ports; empty or absent: every port. */
  ports?: readonly number[];
}

export interface KubernetesManifestOptions {
  namespace: string;
  installationId: string;
  /** ClusterIP (default), NodePort or LoadBalancer. */
  serviceType?: KubeServiceType;
  /** Who may reach the agent's ports: the control plane's namespace (by name) and/or CIDRs. At least one. */
  controlPlane: { namespace?: string; cidrs?: readonly string[] };
  /** Extra egress per profile (for `nemoclaw` the only egress there is). */
  egressAllowlist?: Partial<Record<SandboxProfile, readonly EgressRule[]>>;
  /** The PVC's storage class; undefined or null: the cluster's default class. */
  storageClassName?: string | null;
  /** The pods' scheduler; undefined: the cluster's default scheduler. */
  schedulerName?: string;
  /** The Deployment's `progressDeadlineSeconds` (default 600). */
  progressDeadlineSeconds?: number;
  extraLabels?: Readonly<Record<string, string>>;
}

export interface KubeNames {
  anchor: string;
  bootstrap: string;
  secret: string;
  pvc: string;
  deployment: string;
  service: string;
  networkPolicy: string;
}

/** The container's name in the pod. */
export const RUNTIME_CONTAINER = "runtime";

/** The longest suffix ("-bootstrap") leaves 42 characters of agent id in a 63-character name. */
export const MAX_AGENT_ID_LENGTH = 63 - "nora-agent-".length - "-bootstrap".length;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function kubeNames(agentId: string): KubeNames {
  if (!DNS_LABEL.test(agentId) || agentId.length > MAX_AGENT_ID_LENGTH) {
    throw new BackendError(
      "invalid_spec",
      `agentId ${JSON.stringify(agentId)} cannot name Kubernetes objects (lowercase letters, digits and '-', at most ${MAX_AGENT_ID_LENGTH} characters)`,
    );
  }
  const base = `nora-agent-${agentId}`;
  return {
    anchor: base,
    bootstrap: `${base}-bootstrap`,
    secret: `${base}-secrets`,
    pvc: `${base}-data`,
    deployment: base,
    service: base,
    networkPolicy: base,
  };
}

/** The label selector of everything one agent's set carries (pods and ReplicaSets included). */
export function agentSelector(agentId: string, installationId: string): string {
  return `${KUBE_LABELS.agentId}=${agentId},${KUBE_LABELS.installation}=${installationId}`;
}

/** The label selector of every managed Deployment of one installation. */
export function managedSelector(installationId: string): string {
  return `${KUBE_LABELS.managed}=true,${KUBE_LABELS.installation}=${installationId},${KUBE_LABELS.role}=runtime`;
}

// ---- validation --------------------------------------------------------------------------------

function validCidr(cidr: string): boolean {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!match) return false;
  const family = isIP(match[1] as string);
  const prefix = Number(match[2]);
  return (family === 4 && prefix <= 32) || (family === 6 && prefix <= 128);
}

/** Refuses what the API server would refuse or misread, before anything is applied. */
export function checkKubeSpec(spec: RuntimeSpec, options: KubernetesManifestOptions): void {
  const issues: string[] = [];
  try {
    kubeNames(spec.agentId);
  } catch (error) {
    issues.push((error as Error).message);
  }
  for (const field of ["workspaceId", "revisionId", "deploymentId"] as const) {
    if (!LABEL_VALUE.test(spec[field]) || spec[field].length > 63 || spec[field] === "") {
      issues.push(`${field}: ${JSON.stringify(spec[field])} is not a label value`);
    }
  }
  if (!LABEL_VALUE.test(options.installationId) || options.installationId.length > 63) {
    issues.push(`installationId: ${JSON.stringify(options.installationId)} is not a label value`);
  }
  if (
    options.schedulerName !== undefined &&
    !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(options.schedulerName)
  ) {
    issues.push(`schedulerName: ${options.schedulerName} is not a DNS subdomain`);
  }
  if (!DNS_LABEL.test(options.namespace)) issues.push(`namespace: ${options.namespace} is not a DNS label`);
  issues.push(...commonSpecIssues(spec, { minVcpu: 0.001 }));
  const { namespace, cidrs = [] } = options.controlPlane;
  if (namespace === undefined && cidrs.length === 0) {
    issues.push("controlPlane: name its namespace or CIDRs (nothing could reach the agent)");
  }
  if (namespace !== undefined && !DNS_LABEL.test(namespace)) {
    issues.push(`controlPlane.namespace: ${namespace} is not a DNS label`);
  }
  for (const cidr of cidrs) if (!validCidr(cidr)) issues.push(`controlPlane.cidrs: ${cidr} is not a CIDR`);
  for (const [profile, rules] of Object.entries(options.egressAllowlist ?? {})) {
    for (const rule of rules ?? []) {
      if (!validCidr(rule.cidr)) issues.push(`egressAllowlist.${profile}: ${rule.cidr} is not a CIDR`);
      for (const port of rule.ports ?? []) {
        if (!validPort(port)) issues.push(`egressAllowlist.${profile}: port ${port} is not a port`);
      }
    }
  }
  const deadline = options.progressDeadlineSeconds;
  if (deadline !== undefined && !(Number.isInteger(deadline) && deadline >= 1)) {
    issues.push(`progressDeadlineSeconds: ${deadline} is not a whole number ≥ 1`);
  }
  if (issues.length > 0) {
    throw new BackendError("invalid_spec", `invalid runtime spec for Kubernetes: ${issues.join("; ")}`);
  }
}

// ---- shared pieces -----------------------------------------------------------------------------

function labels(
  spec: Pick<RuntimeSpec, "agentId" | "workspaceId">,
  role: string,
  options: KubernetesManifestOptions,
): Record<string, string> {
  return {
    ...options.extraLabels,
    [KUBE_LABELS.managed]: "true",
    [KUBE_LABELS.installation]: options.installationId,
    [KUBE_LABELS.agentId]: spec.agentId,
    [KUBE_LABELS.workspaceId]: spec.workspaceId,
    [KUBE_LABELS.role]: role,
  };
}

/** The owner reference every object of the set carries: the anchor's. */
export function anchorOwnerReference(agentId: string, uid: string): V1OwnerReference {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    name: kubeNames(agentId).anchor,
    uid,
    blockOwnerDeletion: true,
    controller: false,
  };
}

/** Keys of a Secret or ConfigMap cannot hold '/': files are stored as f0, f1… and projected to their path. */
function fileKey(index: number): string {
  return `f${index}`;
}

function sortedFiles(files: readonly RuntimeFile[]): RuntimeFile[] {
  return [...files].sort((a, b) => a.path.localeCompare(b.path));
}

function base64(content: string): string {
  return Buffer.from(content, "utf8").toString("base64");
}

/** sha256 over env, bootstrap and secret files: the pod-template annotation that rolls the pod on change. */
export function contentHash(spec: Pick<RuntimeSpec, "env" | "files" | "secretFiles">): string {
  const hash = createHash("sha256");
  const part = (value: string) => hash.update(`${Buffer.byteLength(value)}:${value}`);
  for (const [name, value] of Object.entries(spec.env).sort(([a], [b]) => a.localeCompare(b))) {
    part(name);
    part(value);
  }
  for (const [list, files] of [
    ["files", spec.files],
    ["secrets", spec.secretFiles],
  ] as const) {
    part(list);
    for (const file of sortedFiles(files)) {
      part(file.path);
      part(String(file.mode));
      part(file.content);
    }
  }
  return hash.digest("hex");
}

// ---- the objects -------------------------------------------------------------------------------

export function buildAnchor(spec: RuntimeSpec, options: KubernetesManifestOptions): V1ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: kubeNames(spec.agentId).anchor,
      namespace: options.namespace,
      labels: labels(spec, "anchor", options),
    },
    data: { agentId: spec.agentId, workspaceId: spec.workspaceId },
  };
}

export function buildSecret(
  spec: RuntimeSpec,
  options: KubernetesManifestOptions,
  ownerUid: string,
): V1Secret {
  const data: Record<string, string> = {};
  sortedFiles(spec.secretFiles).forEach((file, i) => {
    data[fileKey(i)] = base64(file.content);
  });
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: {
      name: kubeNames(spec.agentId).secret,
      namespace: options.namespace,
      labels: labels(spec, "secrets", options),
      ownerReferences: [anchorOwnerReference(spec.agentId, ownerUid)],
    },
    data,
  };
}

export function buildBootstrap(
  spec: RuntimeSpec,
  options: KubernetesManifestOptions,
  ownerUid: string,
): V1ConfigMap {
  const data: Record<string, string> = {};
  sortedFiles(spec.files).forEach((file, i) => {
    data[fileKey(i)] = file.content;
  });
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: kubeNames(spec.agentId).bootstrap,
      namespace: options.namespace,
      labels: labels(spec, "bootstrap", options),
      ownerReferences: [anchorOwnerReference(spec.agentId, ownerUid)],
    },
    data,
  };
}

export function buildPvc(
  spec: RuntimeSpec,
  options: KubernetesManifestOptions,
  ownerUid: string,
): V1PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: kubeNames(spec.agentId).pvc,
      namespace: options.namespace,
      labels: labels(spec, "data", options),
      ownerReferences: [anchorOwnerReference(spec.agentId, ownerUid)],
    },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: `${spec.resources.diskGb}Gi` } },
      ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}),
    },
  };
}

const VOLUMES = {
  data: "data",
  bootstrap: "bootstrap",
  secrets: "secrets",
  tmp: "tmp",
  logs: "logs",
} as const;

/** The size limits of Docker's tmpfs mounts, reused for the emptyDirs. */
function tmpfsSize(path: string): string {
  const flags = (RUNTIME_CONTAINER_DEFAULTS.tmpfs as Record<string, string>)[path] ?? "";
  const size = /size=(\d+)m/.exec(flags)?.[1];
  return `${size ?? 64}Mi`;
}

function items(files: readonly RuntimeFile[], mode: (file: RuntimeFile) => number): V1KeyToPath[] {
  return sortedFiles(files).map((file, i) => ({ key: fileKey(i), path: file.path, mode: mode(file) }));
}

export type PortName = "contract" | "gateway" | "dashboard";

/** The agent's ports by the name the container, the Service and the NetworkPolicy give them. */
export function namedPorts(ports: RuntimePorts): { name: PortName; port: number }[] {
  const named: { name: PortName; port: number }[] = [
    { name: "contract", port: ports.contract },
    { name: "gateway", port: ports.gateway },
  ];
  if (ports.dashboard !== null) named.push({ name: "dashboard", port: ports.dashboard });
  return named;
}

export function buildDeployment(
  spec: RuntimeSpec,
  options: KubernetesManifestOptions,
  ownerUid: string,
): V1Deployment {
  const names = kubeNames(spec.agentId);
  const selector = {
    [KUBE_LABELS.installation]: options.installationId,
    [KUBE_LABELS.agentId]: spec.agentId,
    [KUBE_LABELS.role]: "runtime",
  };
  const podLabels = {
    ...labels(spec, "runtime", options),
    [KUBE_LABELS.revisionId]: spec.revisionId,
    [KUBE_LABELS.deploymentId]: spec.deploymentId,
    [KUBE_LABELS.profile]: spec.profile,
  };
  const cpu = `${Math.max(1, Math.round(spec.resources.vcpu * 1000))}m`;
  const memory = `${spec.resources.memoryMb}Mi`;
  const probe = { httpGet: { path: RUNTIME_ROUTES.health, port: "contract", scheme: "HTTP" } };
  const nemoclaw = spec.profile === "nemoclaw";
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: names.deployment,
      namespace: options.namespace,
      labels: {
        ...podLabels,
        [KUBE_LABELS.contractPort]: String(spec.ports.contract),
        [KUBE_LABELS.gatewayPort]: String(spec.ports.gateway),
        ...(spec.ports.dashboard === null
          ? {}
          : { [KUBE_LABELS.dashboardPort]: String(spec.ports.dashboard) }),
      },
      ownerReferences: [anchorOwnerReference(spec.agentId, ownerUid)],
    },
    // `replicas` is not here: start/stop own it under their own field manager (kubernetes.ts), and a
    // new Deployment defaults to 1.
    spec: {
      strategy: { type: "Recreate" },
      revisionHistoryLimit: 2,
      progressDeadlineSeconds: options.progressDeadlineSeconds ?? 600,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: podLabels,
          annotations: { [KUBE_ANNOTATIONS.contentHash]: contentHash(spec) },
        },
        spec: {
          hostname: RUNTIME_HOSTNAME,
          ...(options.schedulerName ? { schedulerName: options.schedulerName } : {}),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          // The pause container is PID 1 and reaps orphaned grandchildren (Docker's `init: true`).
          shareProcessNamespace: true,
          restartPolicy: "Always",
          terminationGracePeriodSeconds: 30,
          // nemoclaw resolves nothing, as on Docker (its NetworkPolicy allows no DNS either).
          ...(nemoclaw ? { dnsPolicy: "None", dnsConfig: { nameservers: ["127.0.0.1"] } } : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUNTIME_UID,
            runAsGroup: RUNTIME_GID,
            fsGroup: RUNTIME_GID,
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: RUNTIME_CONTAINER,
              image: spec.image,
              imagePullPolicy: "IfNotPresent",
              env: Object.entries(spec.env)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([name, value]) => ({ name, value })),
              ports: namedPorts(spec.ports).map(({ name, port }) => ({
                name,
                containerPort: port,
                protocol: "TCP",
              })),
              resources: { requests: { cpu, memory }, limits: { cpu, memory } },
              startupProbe: { ...probe, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 90 },
              readinessProbe: { ...probe, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
              livenessProbe: { ...probe, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: RUNTIME_UID,
                runAsGroup: RUNTIME_GID,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
              volumeMounts: [
                { name: VOLUMES.data, mountPath: RUNTIME_LAYOUT.workspace, subPath: "workspace" },
                { name: VOLUMES.data, mountPath: RUNTIME_LAYOUT.state, subPath: "state" },
                { name: VOLUMES.bootstrap, mountPath: RUNTIME_LAYOUT.bootstrap, readOnly: true },
                { name: VOLUMES.secrets, mountPath: RUNTIME_LAYOUT.secrets, readOnly: true },
                { name: VOLUMES.tmp, mountPath: RUNTIME_LAYOUT.tmp },
                { name: VOLUMES.logs, mountPath: RUNTIME_LAYOUT.logs },
              ],
            },
          ],
          volumes: [
            { name: VOLUMES.data, persistentVolumeClaim: { claimName: names.pvc } },
            {
              name: VOLUMES.bootstrap,
              configMap: {
                name: names.bootstrap,
                defaultMode: 0o444,
                items: items(spec.files, (file) => (file.mode & 0o111 ? 0o555 : 0o444)),
              },
            },
            {
              name: VOLUMES.secrets,
              // 0400 root-owned; the kubelet adds group read for fsGroup (0440, group 1000), so only
              // the runtime user's group reads them.
              secret: {
                secretName: names.secret,
                defaultMode: 0o400,
                items: items(spec.secretFiles, () => 0o400),
              },
            },
            { name: VOLUMES.tmp, emptyDir: { sizeLimit: tmpfsSize(RUNTIME_LAYOUT.tmp) } },
            { name: VOLUMES.logs, emptyDir: { sizeLimit: tmpfsSize(RUNTIME_LAYOUT.logs) } },
          ],
        },
      },
    },
  };
}

export function buildService(
  spec: RuntimeSpec,
  options: KubernetesManifestOptions,
  ownerUid: string,
): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: kubeNames(spec.agentId).service,
      namespace: options.namespace,
      labels: labels(spec, "service", options),
      ownerReferences: [anchorOwnerReference(spec.agentId, ownerUid)],
    },
    spec: {
      type: options.serviceType ?? "ClusterIP",
      selector: {
        [KUBE_LABELS.installation]: options.installationId,
        [KUBE_LABELS.agentId]: spec.agentId,
        [KUBE_LABELS.role]: "runtime",
      },
      ports: namedPorts(spec.ports).map(({ name, port }) => ({
        name,
        port,
        targetPort: name,
        protocol: "TCP",
      })),
    },
  };
}

const DNS_PORTS = [
  { protocol: "UDP", port: 53 },
  { protocol: "TCP", port: 53 },
];

function egressRules(spec: RuntimeSpec, options: KubernetesManifestOptions): V1NetworkPolicyEgressRule[] {
  const allowlist: V1NetworkPolicyEgressRule[] = (options.egressAllowlist?.[spec.profile] ?? []).map(
    (rule) => ({
      to: [{ ipBlock: { cidr: rule.cidr } }],
      ...(rule.ports && rule.ports.length > 0
        ? { ports: rule.ports.map((port) => ({ protocol: "TCP", port })) }
        : {}),
    }),
  );
  if (spec.profile === "nemoclaw") return allowlist;
  return [
    { ports: DNS_PORTS },
    {
      to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }],
      ports: [{ protocol: "TCP", port: 443 }],
    },
    ...allowlist,
  ];
}

/**
 * Default deny both ways; ingress only from the control plane to the agent's ports; egress DNS and 443
 * plus the profile's allowlist (`standard`), or only the allowlist (`nemoclaw`, no egress by default).
 */
export function buildNetworkPolicy(
  spec: RuntimeSpec,
  options: KubernetesManifestOptions,
  ownerUid: string,
): V1NetworkPolicy {
  const from: V1NetworkPolicyPeer[] = [
    ...(options.controlPlane.namespace
      ? [
          {
            namespaceSelector: {
              matchLabels: { "kubernetes.io/metadata.name": options.controlPlane.namespace },
            },
          },
        ]
      : []),
    ...(options.controlPlane.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
  ];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: kubeNames(spec.agentId).networkPolicy,
      namespace: options.namespace,
      labels: labels(spec, "network-policy", options),
      ownerReferences: [anchorOwnerReference(spec.agentId, ownerUid)],
    },
    spec: {
      podSelector: {
        matchLabels: {
          [KUBE_LABELS.installation]: options.installationId,
          [KUBE_LABELS.agentId]: spec.agentId,
          [KUBE_LABELS.role]: "runtime",
        },
      },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          // The client's model name for `from` (its serializer writes `from`).
          _from: from,
          ports: namedPorts(spec.ports).map(({ port }) => ({ protocol: "TCP", port })),
        },
      ],
      egress: egressRules(spec, options),
    },
  };
}

export type KubeObject =
  | V1ConfigMap
  | V1Secret
  | V1PersistentVolumeClaim
  | V1Deployment
  | V1Service
  | V1NetworkPolicy;

/** The set after the anchor, in apply order (what pods mount exists before the Deployment). */
export function buildAgentObjects(
  spec: RuntimeSpec,
  options: KubernetesManifestOptions,
  anchorUid: string,
): KubeObject[] {
  checkKubeSpec(spec, options);
  return [
    buildSecret(spec, options, anchorUid),
    buildBootstrap(spec, options, anchorUid),
    buildPvc(spec, options, anchorUid),
    buildNetworkPolicy(spec, options, anchorUid),
    buildService(spec, options, anchorUid),
    buildDeployment(spec, options, anchorUid),
  ];
}

/** The Service's in-cluster DNS name: where the control plane reaches a ClusterIP agent. */
export function clusterEndpoints(agentId: string, namespace: string, ports: RuntimePorts): RuntimeEndpoints {
  return endpointUrls(`${kubeNames(agentId).service}.${namespace}.svc.cluster.local`, ports);
}

/**
 * Where the control plane reaches the agent through its Service: ClusterIP by DNS name; NodePort at
 * `nodeAddress` (when configured) and the node ports; LoadBalancer at its ingress address once the
 * cloud assigned one. Anything not yet known falls back to the in-cluster DNS name.
 */
export function serviceEndpoints(
  service: V1Service,
  options: { nodeAddress?: string },
): RuntimeEndpoints | null {
  const agentId = service.metadata?.labels?.[KUBE_LABELS.agentId];
  const namespace = service.metadata?.namespace;
  const port = (name: PortName) => service.spec?.ports?.find((p) => p.name === name);
  const contract = port("contract");
  const gateway = port("gateway");
  const dashboard = port("dashboard") ?? null;
  if (!agentId || !namespace || !contract || !gateway) return null;
  const type = service.spec?.type ?? "ClusterIP";
  if (
    type === "NodePort" &&
    options.nodeAddress &&
    contract.nodePort &&
    gateway.nodePort &&
    (dashboard === null || dashboard.nodePort)
  ) {
    return endpointUrls(options.nodeAddress, {
      contract: contract.nodePort,
      gateway: gateway.nodePort,
      dashboard: dashboard?.nodePort ?? null,
    });
  }
  const servicePorts = { contract: contract.port, gateway: gateway.port, dashboard: dashboard?.port ?? null };
  if (type === "LoadBalancer") {
    const ingress = service.status?.loadBalancer?.ingress?.[0];
    const address = ingress?.ip ?? ingress?.hostname;
    if (address) return endpointUrls(address, servicePorts);
  }
  return clusterEndpoints(agentId, namespace, servicePorts);
}
