import { isIP } from "node:net";
import {
  RUNTIME_CONTAINER_DEFAULTS,
  RUNTIME_GID,
  RUNTIME_UID,
  type RuntimeFile,
  type SandboxProfile,
} from "@nora/agent-runtime";
import type {
  ContainerCreateOptions,
  MountSettings,
  NetworkCreateOptions,
  VolumeCreateOptions,
} from "dockerode";
import { commonSpecIssues, portSetIssues } from "./spec-checks.js";
import { createTar, type TarEntry } from "./tar.js";
import type { RuntimeEndpoints, RuntimeSpec } from "./types.js";

/**
 * Pure builders of what the Docker backend creates for one agent: its network, its volumes, the
 * never-started helper that fills the bootstrap and secrets volumes, and the runtime container.
 * No I/O: docker.ts feeds these to the engine.
 */

export const DOCKER_LABELS = {
  managed: "nora.managed",
  /** The Nora installation that made it: a provisioner manages its own installation's runtimes only. */
  installation: "nora.installation",
  agentId: "nora.agent.id",
  workspaceId: "nora.workspace.id",
  revisionId: "nora.revision.id",
  deploymentId: "nora.deployment.id",
  /** What a labelled object is: runtime, network, volume, delivery. */
  role: "nora.role",
  /** Volumes: which of the four. */
  volume: "nora.volume",
  profile: "nora.profile",
  /** Runtime containers: which container ports are the contract server, the gateway and the dashboard. */
  contractPort: "nora.port.contract",
  gatewayPort: "nora.port.gateway",
  /** Only when the runtime has a dashboard port. */
  dashboardPort: "nora.port.dashboard",
} as const;

export type DockerAccess = "published" | "network";
export type VolumeKind = "workspace" | "state" | "bootstrap" | "secrets";
export const VOLUME_KINDS: readonly VolumeKind[] = ["workspace", "state", "bootstrap", "secrets"];
/** Volumes remove() deletes even with keepData: the control plane writes them afresh on every create. */
export const EPHEMERAL_VOLUMES: readonly VolumeKind[] = ["bootstrap", "secrets"];

export interface DockerSpecOptions {
  access: DockerAccess;
  /** Where published ports are bound (published access only). */
  bindIp: string;
  /** Ask for a disk quota (StorageOpt size); false once the storage driver has refused it. */
  diskQuota: boolean;
  /** Extra labels on everything created (tests mark their objects with them). */
  extraLabels?: Readonly<Record<string, string>>;
}

/** What a sandbox profile enforces on top of the common hardening (docs/provisioning.md, "Profiles"). */
export interface ProfilePolicy {
  /** An internal network: no route out of it (Docker also publishes no ports for it). */
  internalNetwork: boolean;
  /** Resolvers; null keeps Docker's embedded DNS (which forwards to the host's). */
  dns: string[] | null;
  pidsLimit: number;
  /** Extra tmpfs mount flags. */
  tmpfsFlags: string[];
}

export const PROFILE_POLICIES: Readonly<Record<SandboxProfile, ProfilePolicy>> = {
  standard: {
    internalNetwork: false,
    dns: null,
    pidsLimit: RUNTIME_CONTAINER_DEFAULTS.pidsLimit,
    tmpfsFlags: [],
  },
  nemoclaw: {
    internalNetwork: true,
    // Nothing answers on the container's loopback port 53: no name resolves, not even through
    // Docker's embedded resolver.
    dns: ["127.0.0.1"],
    pidsLimit: 256,
    tmpfsFlags: ["noexec", "nodev"],
  },
};

export const LOG_ROTATION = { "max-size": "10m", "max-file": "3" } as const;

/** Where the delivery helper mounts the two volumes it fills. */
export const DELIVERY_ROOT = "/nora-delivery";

export class DockerSpecError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid runtime spec: ${issues.join("; ")}`);
    this.name = "DockerSpecError";
    this.issues = issues;
  }
}

export interface AgentNames {
  container: string;
  network: string;
  delivery: string;
  volumes: Record<VolumeKind, string>;
}

const NAME_SAFE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

export function agentNames(agentId: string): AgentNames {
  if (!NAME_SAFE.test(agentId))
    throw new DockerSpecError([`agentId: ${JSON.stringify(agentId)} is not name-safe`]);
  const base = `nora-agent-${agentId}`;
  return {
    container: base,
    network: base,
    delivery: `${base}-delivery`,
    volumes: {
      workspace: `${base}-workspace`,
      state: `${base}-state`,
      bootstrap: `${base}-bootstrap`,
      secrets: `${base}-secrets`,
    },
  };
}

// ---- addresses ---------------------------------------------------------------------------------

function ipv4ToInt(address: string): number {
  return address.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export interface AgentSubnet {
  subnet: string;
  gateway: string;
  /** The runtime container's fixed address (the first after the gateway). */
  address: string;
}

/** An IPv4 network of /16 to /29 given by its network address; gateway .1, the agent .2. */
export function parseSubnet(cidr: string | null): AgentSubnet {
  if (cidr === null) throw new DockerSpecError(["subnet: the Docker backend needs the agent's subnet"]);
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!match || isIP(match[1] as string) !== 4)
    throw new DockerSpecError([`subnet: ${cidr} is not an IPv4 CIDR`]);
  const prefix = Number(match[2]);
  if (prefix < 16 || prefix > 29) throw new DockerSpecError([`subnet: /${prefix} is outside /16../29`]);
  const network = ipv4ToInt(match[1] as string);
  if (network % 2 ** (32 - prefix) !== 0) {
    throw new DockerSpecError([`subnet: ${cidr} is not a network address`]);
  }
  return { subnet: cidr, gateway: intToIpv4(network + 1), address: intToIpv4(network + 2) };
}

export function urlHost(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

// ---- validation --------------------------------------------------------------------------------

/** Refuses what the engine would misread or what breaks an invariant of the backend. */
export function checkSpec(spec: RuntimeSpec, options: DockerSpecOptions): void {
  const issues: string[] = [];
  for (const field of ["agentId", "workspaceId", "revisionId", "deploymentId"] as const) {
    if (!NAME_SAFE.test(spec[field]))
      issues.push(`${field}: ${JSON.stringify(spec[field])} is not name-safe`);
  }
  issues.push(...commonSpecIssues(spec, { minVcpu: 0.01 }));
  try {
    parseSubnet(spec.subnet);
  } catch (error) {
    if (!(error instanceof DockerSpecError)) throw error;
    issues.push(...error.issues);
  }
  if (options.access === "published") {
    if (isIP(options.bindIp) === 0) issues.push(`bindIp: ${options.bindIp} is not an IP address`);
    const host = spec.hostPorts;
    if (host === null) {
      issues.push("hostPorts: required in published access");
    } else {
      issues.push(...portSetIssues("hostPorts", host));
      if ((host.dashboard === null) !== (spec.ports.dashboard === null)) {
        issues.push("hostPorts.dashboard: given exactly when ports.dashboard is");
      }
    }
  }
  if (issues.length > 0) throw new DockerSpecError(issues);
}

// ---- labels ------------------------------------------------------------------------------------

function baseLabels(spec: RuntimeSpec, role: string, options: DockerSpecOptions): Record<string, string> {
  return {
    ...options.extraLabels,
    [DOCKER_LABELS.managed]: "true",
    [DOCKER_LABELS.agentId]: spec.agentId,
    [DOCKER_LABELS.workspaceId]: spec.workspaceId,
    [DOCKER_LABELS.role]: role,
  };
}

// ---- network and volumes -----------------------------------------------------------------------

export function buildNetworkSpec(spec: RuntimeSpec, options: DockerSpecOptions): NetworkCreateOptions {
  const { subnet, gateway } = parseSubnet(spec.subnet);
  return {
    Name: agentNames(spec.agentId).network,
    Driver: "bridge",
    CheckDuplicate: true,
    Internal: PROFILE_POLICIES[spec.profile].internalNetwork,
    Attachable: false,
    EnableIPv6: false,
    IPAM: { Driver: "default", Config: [{ Subnet: subnet, Gateway: gateway }] },
    // Inter-container traffic on the agent's own network: the agent and the control plane's peers.
    Options: { "com.docker.network.bridge.enable_icc": "true" },
    Labels: { ...baseLabels(spec, "network", options), [DOCKER_LABELS.profile]: spec.profile },
  };
}

export function buildVolumeSpecs(
  spec: RuntimeSpec,
  options: DockerSpecOptions,
): Record<VolumeKind, VolumeCreateOptions> {
  const names = agentNames(spec.agentId);
  const volume = (kind: VolumeKind): VolumeCreateOptions => ({
    Name: names.volumes[kind],
    Driver: "local",
    Labels: { ...baseLabels(spec, "volume", options), [DOCKER_LABELS.volume]: kind },
  });
  return {
    workspace: volume("workspace"),
    state: volume("state"),
    bootstrap: volume("bootstrap"),
    secrets: volume("secrets"),
  };
}

// ---- delivery ----------------------------------------------------------------------------------

/**
 * The helper that owns the bootstrap and secrets volumes read-write for one `putArchive`. It is
 * created from the agent's own image (present by then) and never started: nothing runs in it.
 */
export function buildDeliverySpec(spec: RuntimeSpec, options: DockerSpecOptions): ContainerCreateOptions {
  const names = agentNames(spec.agentId);
  return {
    name: names.delivery,
    Image: spec.image,
    Entrypoint: ["/bin/false"],
    Cmd: [],
    NetworkDisabled: true,
    Labels: baseLabelsWithout(baseLabels(spec, "delivery", options), DOCKER_LABELS.managed),
    HostConfig: {
      NetworkMode: "none",
      Mounts: (["bootstrap", "secrets"] as const).map((kind) => ({
        Type: "volume",
        Source: names.volumes[kind],
        Target: `${DELIVERY_ROOT}/${kind}`,
        ReadOnly: false,
        VolumeOptions: { NoCopy: true, Labels: {}, DriverConfig: { Name: "local", Options: {} } },
      })),
    },
  };
}

function baseLabelsWithout(labels: Record<string, string>, key: string): Record<string, string> {
  const { [key]: _omitted, ...rest } = labels;
  return rest;
}

function parentDirectories(path: string): string[] {
  const segments = path.split("/");
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join("/"));
}

function treeEntries(
  root: "bootstrap" | "secrets",
  files: readonly RuntimeFile[],
  owner: { uid: number; gid: number },
  dirMode: number,
  fileMode: (file: RuntimeFile) => number,
): TarEntry[] {
  const entries: TarEntry[] = [{ path: root, type: "directory", mode: dirMode, ...owner }];
  const dirs = new Set<string>();
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    for (const dir of parentDirectories(file.path)) {
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      entries.push({ path: `${root}/${dir}`, type: "directory", mode: dirMode, ...owner });
    }
    entries.push({
      path: `${root}/${file.path}`,
      type: "file",
      mode: fileMode(file),
      content: file.content,
      ...owner,
    });
  }
  return entries;
}

/**
 * The archive unpacked at DELIVERY_ROOT: bootstrap files root-owned, world-readable, never writable
 * or executable by the runtime; secret files 0600 owned by the runtime user in a 0700 directory.
 * The directory entries set the volumes' own root modes too.
 */
export function buildDeliveryArchive(spec: Pick<RuntimeSpec, "files" | "secretFiles">): Buffer {
  const root = { uid: 0, gid: 0 };
  const runtimeUser = { uid: RUNTIME_UID, gid: RUNTIME_GID };
  return createTar([
    ...treeEntries("bootstrap", spec.files, root, 0o755, (file) => (file.mode & 0o111 ? 0o755 : 0o644)),
    ...treeEntries("secrets", spec.secretFiles, runtimeUser, 0o700, () => 0o600),
  ]);
}

// ---- the runtime container ---------------------------------------------------------------------

const tcp = (port: number) => `${port}/tcp`;

function tmpfsFor(policy: ProfilePolicy): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, flags] of Object.entries(RUNTIME_CONTAINER_DEFAULTS.tmpfs)) {
    out[path] = [flags, ...policy.tmpfsFlags].join(",");
  }
  return out;
}

/** Whether Docker will publish the agent's ports: never on an internal network. */
export function publishesPorts(
  spec: Pick<RuntimeSpec, "profile">,
  options: Pick<DockerSpecOptions, "access">,
): boolean {
  return options.access === "published" && !PROFILE_POLICIES[spec.profile].internalNetwork;
}

/** The agent's container ports, each with its host port (null when none is allocated). */
function agentPortPairs(
  spec: Pick<RuntimeSpec, "ports" | "hostPorts">,
): { container: number; host: number | null }[] {
  const { ports, hostPorts } = spec;
  const pairs = [
    { container: ports.contract, host: hostPorts?.contract ?? null },
    { container: ports.gateway, host: hostPorts?.gateway ?? null },
  ];
  if (ports.dashboard !== null)
    pairs.push({ container: ports.dashboard, host: hostPorts?.dashboard ?? null });
  return pairs;
}

export function buildContainerSpec(spec: RuntimeSpec, options: DockerSpecOptions): ContainerCreateOptions {
  checkSpec(spec, options);
  const names = agentNames(spec.agentId);
  const policy = PROFILE_POLICIES[spec.profile];
  const { address } = parseSubnet(spec.subnet);
  const mounts: MountSettings[] = VOLUME_KINDS.map((kind) => ({
    Type: "volume",
    Source: names.volumes[kind],
    Target:
      kind === "workspace" || kind === "state"
        ? RUNTIME_CONTAINER_DEFAULTS.volumes[kind]
        : RUNTIME_CONTAINER_DEFAULTS.readOnlyMounts[kind],
    ReadOnly: kind === "bootstrap" || kind === "secrets",
  }));
  const publish = publishesPorts(spec, options);
  const portPairs = agentPortPairs(spec);
  const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  if (publish) {
    for (const { container, host } of portPairs) {
      if (host !== null) portBindings[tcp(container)] = [{ HostIp: options.bindIp, HostPort: String(host) }];
    }
  }
  const memoryBytes = spec.resources.memoryMb * 1024 * 1024;
  return {
    name: names.container,
    Image: spec.image,
    Hostname: RUNTIME_CONTAINER_DEFAULTS.hostname,
    User: RUNTIME_CONTAINER_DEFAULTS.user,
    Env: Object.entries(spec.env)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => `${name}=${value}`),
    ExposedPorts: Object.fromEntries(portPairs.map(({ container }) => [tcp(container), {}])),
    Labels: {
      ...baseLabels(spec, "runtime", options),
      [DOCKER_LABELS.revisionId]: spec.revisionId,
      [DOCKER_LABELS.deploymentId]: spec.deploymentId,
      [DOCKER_LABELS.profile]: spec.profile,
      [DOCKER_LABELS.contractPort]: String(spec.ports.contract),
      [DOCKER_LABELS.gatewayPort]: String(spec.ports.gateway),
      ...(spec.ports.dashboard === null
        ? {}
        : { [DOCKER_LABELS.dashboardPort]: String(spec.ports.dashboard) }),
    },
    HostConfig: {
      NetworkMode: names.network,
      PortBindings: portBindings,
      Mounts: mounts,
      Tmpfs: tmpfsFor(policy),
      ReadonlyRootfs: RUNTIME_CONTAINER_DEFAULTS.readOnlyRootFilesystem,
      CapDrop: [...RUNTIME_CONTAINER_DEFAULTS.capDrop],
      CapAdd: [],
      SecurityOpt: ["no-new-privileges"],
      Privileged: false,
      IpcMode: "private",
      Init: RUNTIME_CONTAINER_DEFAULTS.init,
      PidsLimit: policy.pidsLimit,
      NanoCpus: Math.round(spec.resources.vcpu * 1e9),
      Memory: memoryBytes,
      MemorySwap: memoryBytes,
      RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
      LogConfig: { Type: "json-file", Config: { ...LOG_ROTATION } },
      ...(policy.dns === null ? {} : { Dns: policy.dns, DnsSearch: [], DnsOptions: [] }),
      ...(options.diskQuota ? { StorageOpt: { size: `${spec.resources.diskGb}G` } } : {}),
    },
    NetworkingConfig: {
      EndpointsConfig: { [names.network]: { IPAMConfig: { IPv4Address: address } } },
    },
  };
}

/**
 * Where the control plane reaches the runtime: the published host ports, or the container's own
 * address on its network (network access, or an internal network, which Docker publishes nothing for).
 */
export function endpointsFor(
  spec: Pick<RuntimeSpec, "profile" | "subnet" | "ports" | "hostPorts">,
  options: Pick<DockerSpecOptions, "access" | "bindIp">,
): RuntimeEndpoints {
  if (publishesPorts(spec, options) && spec.hostPorts !== null) {
    return endpointUrls(options.bindIp, spec.hostPorts);
  }
  return endpointUrls(parseSubnet(spec.subnet).address, spec.ports);
}

/** The endpoints at one address (an IPv6 literal bracketed), a null dashboard port giving a null URL. */
export function endpointUrls(
  address: string,
  ports: { contract: number | string; gateway: number | string; dashboard: number | string | null },
): RuntimeEndpoints {
  const host = urlHost(address);
  return {
    runtimeUrl: `http://${host}:${ports.contract}`,
    gatewayUrl: `http://${host}:${ports.gateway}`,
    dashboardUrl: ports.dashboard === null ? null : `http://${host}:${ports.dashboard}`,
  };
}
