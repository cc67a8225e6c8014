import type { DeployTarget, RuntimeFamily, RuntimeFile, SandboxProfile } from "@nora/agent-runtime";

/**
 * Where runtimes run: the one interface every deploy target implements (docker.ts, kubernetes.ts).
 * Only the provisioner holds a backend; the API reaches a runtime through its 9090 server and the
 * runtime client. Every method is keyed by the agent id: a backend names and labels what it creates
 * after the agent, so an operation repeated after a crash finds what the first attempt made.
 */

export interface RuntimeResources {
  vcpu: number;
  memoryMb: number;
  diskGb: number;
}

/** Host ports the database allocated for one agent (published access only). */
export interface HostPorts {
  contract: number;
  gateway: number;
  /** Set exactly when the spec has a dashboard port. */
  dashboard: number | null;
}

export interface RuntimePorts {
  contract: number;
  gateway: number;
  dashboard: number | null;
}

/** Everything a backend needs to create one agent's runtime. Secrets travel only in `secretFiles`. */
export interface RuntimeSpec {
  agentId: string;
  workspaceId: string;
  revisionId: string;
  deploymentId: string;
  family: RuntimeFamily;
  profile: SandboxProfile;
  /** An image reference, or its content id (`sha256:…`) to run exactly one build. */
  image: string;
  resources: RuntimeResources;
  /** Safe to show (docker inspect, a pod spec): never a secret. */
  env: Record<string, string>;
  /** Bootstrap files, delivered read-only at RUNTIME_LAYOUT.bootstrap. */
  files: readonly RuntimeFile[];
  /** Secret files (mode 0600, the runtime user's), delivered read-only at RUNTIME_LAYOUT.secrets. */
  secretFiles: readonly RuntimeFile[];
  /**
   * The container ports the control plane reaches: the 9090 contract server, the family's gateway (its
   * machine API) and, where the family has one, its web dashboard (Hermes' 9119; null for OpenClaw).
   */
  ports: RuntimePorts;
  /** Set when agents are reached through ports published on the host. */
  hostPorts: HostPorts | null;
  /** Docker: the agent's own network (CIDR), allocated by the database from the configured pool; null elsewhere. */
  subnet: string | null;
}

/** Where the control plane reaches a runtime: plain http URLs, the host an address literal. */
export interface RuntimeEndpoints {
  runtimeUrl: string;
  gatewayUrl: string;
  /** Null when the runtime has no dashboard port. */
  dashboardUrl: string | null;
}

/** What the backend enforced of the request, reported rather than assumed. */
export interface Enforcement {
  diskQuota: "enforced" | "not_enforced";
  /** Why a limit is not enforced (e.g. the storage driver cannot). */
  diskQuotaReason?: string;
  /** `open`: egress as the host routes it; `none`: the agent's network has no route out. */
  egress: "open" | "none";
}

export interface CreatedRuntime {
  /** The backend's name for the runtime (a container name). */
  ref: string;
  endpoints: RuntimeEndpoints;
  enforcement: Enforcement;
  /** The content digest of the image that runs. */
  imageDigest: string;
}

export type RuntimeState = "created" | "running" | "restarting" | "paused" | "exited" | "dead" | "removing";

export interface RuntimeInspection {
  agentId: string;
  workspaceId: string;
  /** The revision the runtime was created from (its label). */
  revisionId: string | null;
  ref: string;
  state: RuntimeState;
  running: boolean;
  exitCode: number | null;
  oomKilled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  imageDigest: string;
  endpoints: RuntimeEndpoints | null;
  /** Whether the orchestrator reports the runtime ready (Kubernetes: available and the pod Ready). */
  ready?: boolean;
  /** Why the runtime does not run, in words a person can act on (Kubernetes). */
  problem?: RuntimeProblem;
  /** Why a runtime that is neither ready nor failed is not ready yet (an unbound volume, a pull in progress). */
  waitingFor?: string;
}

export type RuntimeProblemCode =
  | "image_pull"
  | "crash_loop"
  | "unschedulable"
  | "progress_deadline"
  | "create_failed"
  | "oom";

export interface RuntimeProblem {
  code: RuntimeProblemCode;
  message: string;
}

export interface RuntimeStats {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
  networkRxBytes: number;
  networkTxBytes: number;
}

export interface RuntimeEvent {
  agentId: string;
  type: "start" | "die" | "oom" | "stop" | "destroy";
  exitCode: number | null;
  at: Date;
}

/** A runtime the backend manages (labelled as Nora's), whether or not an agent row still owns it. */
export interface ManagedRuntime {
  agentId: string;
  workspaceId: string;
  ref: string;
  state: RuntimeState;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CreateOptions {
  /**
   * Kubernetes: take back fields another field manager changed by hand (a server-side apply with
   * force) instead of raising `drift`. The Docker backend always replaces the runtime.
   */
  force?: boolean;
}

export interface RuntimeBackend {
  readonly target: DeployTarget;
  /**
   * How the provisioner learns a new runtime is ready: `runtime-server` (default) probes the 9090
   * server and the gateway itself; `backend` waits for `inspect()` to say `ready` (Kubernetes: the
   * kubelet's probes decide, and the worker may not reach the cluster network).
   */
  readonly readiness?: "runtime-server" | "backend";
  /** The content digest of an image this backend can run, or null when it does not have it. */
  resolveImage(image: string): Promise<string | null>;
  /**
   * Creates the agent's runtime and starts it. Idempotent per agent: a runtime left by an earlier
   * attempt is replaced, so there is never more than one.
   */
  create(spec: RuntimeSpec, options?: CreateOptions): Promise<CreatedRuntime>;
  start(agentId: string): Promise<void>;
  stop(agentId: string, options?: { timeoutSeconds?: number }): Promise<void>;
  restart(agentId: string, options?: { timeoutSeconds?: number }): Promise<void>;
  /** Removes the runtime and its network; its volumes too unless `keepData`. Absent is not an error. */
  remove(agentId: string, options?: { keepData?: boolean }): Promise<void>;
  /** Null when the agent has no runtime. */
  inspect(agentId: string): Promise<RuntimeInspection | null>;
  /** The runtime's own output (the 9090 server's log), for a failed deployment's reason. */
  logs(agentId: string, options?: { tail?: number }): Promise<string>;
  exec(agentId: string, argv: readonly string[], options?: { timeoutMs?: number }): Promise<ExecResult>;
  stats(agentId: string): Promise<RuntimeStats | null>;
  /** Lifecycle events of managed runtimes until `signal` aborts. */
  events(signal: AbortSignal): AsyncIterable<RuntimeEvent>;
  listManaged(): Promise<ManagedRuntime[]>;
  /**
   * Makes sure the control plane can reach every managed runtime (Docker's network access: API
   * containers started since are joined to each agent network). Returns how many were checked.
   */
  reconcileAccess(): Promise<number>;
}
