import { RUNTIME_GID, RUNTIME_HOSTNAME, RUNTIME_LAYOUT, RUNTIME_UID } from "./layout.js";

/**
 * How every runtime container runs, whatever the backend: the Docker and Kubernetes adapters map
 * these onto HostConfig / securityContext. OpenClaw is OOM-killed on its first tool turn at 1 GiB,
 * hence the 2 GiB default.
 */
export const RUNTIME_CONTAINER_DEFAULTS = {
  user: `${RUNTIME_UID}:${RUNTIME_GID}`,
  hostname: RUNTIME_HOSTNAME,
  /** Reaps orphaned grandchildren of the agent (the runtime server is the main process). */
  init: true,
  readOnlyRootFilesystem: true,
  capDrop: ["ALL"],
  noNewPrivileges: true,
  pidsLimit: 512,
  memoryMb: 2048,
  cpus: 1.5,
  tmpfs: {
    [RUNTIME_LAYOUT.tmp]: "rw,nosuid,size=256m",
    [RUNTIME_LAYOUT.logs]: `rw,nosuid,size=64m,uid=${RUNTIME_UID},gid=${RUNTIME_GID},mode=0750`,
  },
  /** Volumes the runtime needs (name suffix → container path). */
  volumes: { workspace: RUNTIME_LAYOUT.workspace, state: RUNTIME_LAYOUT.state },
  /** Read-only mounts the control plane fills. */
  readOnlyMounts: { bootstrap: RUNTIME_LAYOUT.bootstrap, secrets: RUNTIME_LAYOUT.secrets },
} as const;
