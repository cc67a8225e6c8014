/**
 * Paths inside every runtime container. The root filesystem is read-only; everything the runtime
 * writes lives on the volumes and tmpfs mounts named here.
 */
export const RUNTIME_LAYOUT = {
  /** The agent workspace (volume, writable). Seeded from the bootstrap template on first start. */
  workspace: "/nora/workspace",
  /** Runtime state (volume, writable): the agent's own state and the rendered config. */
  state: "/nora/state",
  /** Bootstrap files from the control plane (read-only mount). */
  bootstrap: "/etc/nora",
  /** Secret files from the control plane, mode 0600 (read-only mount or orchestrator secret). */
  secrets: "/run/nora/secrets",
  /** Logs of the supervised agent process (tmpfs or volume). */
  logs: "/var/log/nora",
  /** Scratch space (tmpfs); OpenClaw exits without a writable /tmp. */
  tmp: "/tmp",
  /** The runtime server's installation. */
  serverHome: "/opt/nora/runtime",
  /** The OpenClaw installation (its `node_modules/openclaw/openclaw.mjs` is the CLI). */
  openclawHome: "/opt/openclaw",
  /** The Hermes installation: a Python virtual environment whose `bin/hermes` is the CLI. */
  hermesHome: "/opt/hermes",
} as const;

/** Where things live below the state volume and the bootstrap mount. */
export const STATE_SUBDIRS = {
  /** The rendered agent configuration (what the runtime reads; read-only through the files API). */
  config: "config",
  /** OpenClaw's state directory (OPENCLAW_STATE_DIR). */
  openclaw: "openclaw",
  /** Hermes' home (HERMES_HOME). */
  hermes: "hermes",
  /** HOME of the runtime user (the image sets HOME to it; the root filesystem is read-only). */
  home: "home",
  /** The runtime server's own records, e.g. the last provider sync (mode 0600). */
  nora: "nora",
} as const;

export const BOOTSTRAP_FILES = {
  /** OpenClaw configuration, relative to the bootstrap directory. */
  openclawConfig: "openclaw/openclaw.json",
  /** Hermes configuration, relative to the bootstrap directory. */
  hermesConfig: "hermes/config.yaml",
  /** Workspace template payload: files below it are copied into an empty workspace. */
  templateDir: "template",
} as const;

export const SECRET_FILES = {
  /** The per-agent token the runtime server requires as `Authorization: Bearer`. */
  runtimeToken: "runtime-token",
  /** JSON object of environment variables given only to the agent process (keys, tokens). */
  agentEnv: "agent-env.json",
} as const;

/** The fixed container hostname: OpenClaw keys its owner lease by pid and hostname. */
export const RUNTIME_HOSTNAME = "nora-runtime";

/** The user every runtime image runs as. */
export const RUNTIME_UID = 1000;
export const RUNTIME_GID = 1000;
