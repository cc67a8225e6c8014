import type { Logger } from "@nora/core";
import Docker from "dockerode";
import {
  agentNames,
  buildContainerSpec,
  buildDeliveryArchive,
  buildDeliverySpec,
  buildNetworkSpec,
  buildVolumeSpecs,
  checkSpec,
  DELIVERY_ROOT,
  DOCKER_LABELS,
  type DockerAccess,
  DockerSpecError,
  type DockerSpecOptions,
  EPHEMERAL_VOLUMES,
  endpointsFor,
  endpointUrls,
  PROFILE_POLICIES,
  parseSubnet,
  VOLUME_KINDS,
  type VolumeKind,
} from "./docker-spec.js";
import {
  type DockerStatsJson,
  demuxDockerOutput,
  dockerTime,
  lineSplitter,
  parseDockerEvent,
  runtimeState,
  statsFrom,
} from "./docker-streams.js";
import { BackendError } from "./errors.js";
import type {
  CreatedRuntime,
  Enforcement,
  ExecResult,
  ManagedRuntime,
  RuntimeBackend,
  RuntimeEndpoints,
  RuntimeEvent,
  RuntimeInspection,
  RuntimeSpec,
  RuntimeStats,
} from "./types.js";

export interface DockerBackendOptions {
  socketPath: string;
  access: DockerAccess;
  bindIp: string;
  /** In network access, running containers with this label join every agent network. */
  peerLabel: { key: string; value: string };
  logger: Logger;
  /** Labels added to everything the backend creates (tests mark their objects with them). */
  extraLabels?: Readonly<Record<string, string>>;
  /**
   * This installation's id: labelled on everything the backend creates, and the only runtimes it lists,
   * watches or reconciles. Two Nora installations on one engine never touch each other's agents.
   */
  installationId?: string;
}

interface DockerApiError {
  statusCode?: number;
  code?: string;
  reason?: string;
  json?: { message?: string } | null;
  message?: string;
}

const UNREACHABLE = new Set(["ENOENT", "ECONNREFUSED", "EACCES", "EPERM", "ECONNRESET", "EPIPE", "ENOTSOCK"]);
const EXEC_OUTPUT_MAX_BYTES = 8 * 1024 * 1024;

function statusOf(error: unknown): number | undefined {
  return (error as DockerApiError | null)?.statusCode;
}

function engineMessage(error: unknown): string {
  const e = error as DockerApiError | null;
  return (e?.json?.message ?? e?.reason ?? e?.message ?? String(error)).trim();
}

/** Maps what the engine or the socket said to a BackendError; lets BackendErrors through. */
function toBackendError(error: unknown, what: string): BackendError {
  if (error instanceof BackendError) return error;
  if (error instanceof DockerSpecError) {
    return new BackendError("invalid_spec", error.message, { cause: error });
  }
  const code = (error as DockerApiError | null)?.code;
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new BackendError(
      "backend_unavailable",
      `Docker engine unreachable (${code}) while trying to ${what}`,
      {
        cause: error,
      },
    );
  }
  return new BackendError("backend_error", `Docker refused to ${what}: ${engineMessage(error)}`, {
    cause: error,
  });
}

async function ignoring<T>(statuses: readonly number[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (statuses.includes(statusOf(error) ?? -1)) return undefined;
    throw error;
  }
}

/** The engine's refusal of a disk quota (overlay2 off xfs+pquota, or a driver without quotas). */
function isQuotaRefusal(error: unknown): boolean {
  return /storage-?opt|storage option|quota|pquota|not supported for/i.test(engineMessage(error));
}

export function createDockerBackend(options: DockerBackendOptions): RuntimeBackend {
  const docker = new Docker({ socketPath: options.socketPath });
  const log = options.logger;
  const peerLabel = `${options.peerLabel.key}=${options.peerLabel.value}`;
  const managedRuntimes = [
    `${DOCKER_LABELS.managed}=true`,
    `${DOCKER_LABELS.role}=runtime`,
    ...(options.installationId ? [`${DOCKER_LABELS.installation}=${options.installationId}`] : []),
  ];
  /** Set once the engine refused a quota: the storage driver does not change under a running engine. */
  let quotaRefusal: string | null = null;

  const specOptions = (diskQuota: boolean): DockerSpecOptions => ({
    access: options.access,
    bindIp: options.bindIp,
    diskQuota,
    extraLabels: {
      ...options.extraLabels,
      ...(options.installationId ? { [DOCKER_LABELS.installation]: options.installationId } : {}),
    },
  });

  async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toBackendError(error, what);
    }
  }

  async function resolveImage(image: string): Promise<string | null> {
    return guarded(`inspect image ${image}`, async () => {
      const info = await ignoring([404], () => docker.getImage(image).inspect());
      return info?.Id ?? null;
    });
  }

  async function removeContainer(name: string): Promise<void> {
    await ignoring([404], () => docker.getContainer(name).remove({ force: true, v: false }));
  }

  async function removeNetwork(name: string): Promise<void> {
    const network = docker.getNetwork(name);
    const info = await ignoring([404], () => network.inspect());
    if (info === undefined) return;
    for (const id of Object.keys((info.Containers as Record<string, unknown> | undefined) ?? {})) {
      await ignoring([404], () => network.disconnect({ Container: id, Force: true }));
    }
    await ignoring([404], () => network.remove());
  }

  async function ensureNetwork(spec: RuntimeSpec): Promise<void> {
    const wanted = buildNetworkSpec(spec, specOptions(false));
    const name = wanted.Name;
    const existing = await ignoring([404], () => docker.getNetwork(name).inspect());
    if (existing !== undefined) {
      const subnet = existing.IPAM?.Config?.[0]?.Subnet;
      if (subnet === parseSubnet(spec.subnet).subnet && existing.Internal === wanted.Internal) return;
      log.info(
        { agentId: spec.agentId, network: name },
        "agent network differs from the spec; recreating it",
      );
      await removeNetwork(name);
    }
    try {
      await docker.createNetwork(wanted);
    } catch (error) {
      if (statusOf(error) === 409) return;
      if (/overlap/i.test(engineMessage(error))) {
        throw new BackendError(
          "network_conflict",
          `subnet ${spec.subnet} of agent ${spec.agentId} overlaps another Docker network: ${engineMessage(error)}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async function ensureVolumes(spec: RuntimeSpec): Promise<void> {
    const specs = buildVolumeSpecs(spec, specOptions(false));
    for (const kind of VOLUME_KINDS) {
      const volume = specs[kind];
      // Bootstrap and secrets are written afresh: a file dropped from the spec must not linger.
      if (EPHEMERAL_VOLUMES.includes(kind)) {
        await ignoring([404], () => docker.getVolume(volume.Name as string).remove());
      }
      await docker.createVolume(volume);
    }
  }

  async function deliverFiles(spec: RuntimeSpec, image: string): Promise<void> {
    const helperSpec = { ...buildDeliverySpec(spec, specOptions(false)), Image: image };
    const helper = await docker.createContainer(helperSpec);
    try {
      await helper.putArchive(buildDeliveryArchive(spec), { path: DELIVERY_ROOT });
    } finally {
      await ignoring([404], () => helper.remove({ force: true }));
    }
  }

  async function createRuntimeContainer(spec: RuntimeSpec, image: string): Promise<Enforcement["diskQuota"]> {
    const create = (quota: boolean) =>
      docker.createContainer({ ...buildContainerSpec(spec, specOptions(quota)), Image: image });
    if (quotaRefusal === null) {
      try {
        await create(true);
        return "enforced";
      } catch (error) {
        if (!isQuotaRefusal(error)) throw error;
        quotaRefusal = `the Docker storage driver refused a size quota: ${engineMessage(error)}`;
        log.warn({ agentId: spec.agentId, reason: quotaRefusal }, "disk quota not enforced");
      }
    }
    await create(false);
    return "not_enforced";
  }

  async function peers(): Promise<string[]> {
    const list = await docker.listContainers({ filters: { label: [peerLabel], status: ["running"] } });
    return list.map((c) => c.Id);
  }

  async function connectPeers(network: string): Promise<void> {
    for (const id of await peers()) {
      try {
        await docker.getNetwork(network).connect({ Container: id });
      } catch (error) {
        // Already connected (403 "already exists" on this engine) or gone since the listing.
        if (statusOf(error) === 404 || /already exists/i.test(engineMessage(error))) continue;
        throw error;
      }
    }
  }

  async function startContainer(name: string): Promise<void> {
    try {
      await docker.getContainer(name).start();
    } catch (error) {
      if (statusOf(error) === 304) return;
      if (/port is already allocated|address already in use/i.test(engineMessage(error))) {
        throw new BackendError("port_conflict", `cannot start ${name}: ${engineMessage(error)}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async function create(spec: RuntimeSpec): Promise<CreatedRuntime> {
    return guarded(`create the runtime of agent ${spec.agentId}`, async () => {
      checkSpec(spec, specOptions(false));
      const names = agentNames(spec.agentId);
      const imageDigest = await resolveImage(spec.image);
      if (imageDigest === null) {
        throw new BackendError(
          "image_not_found",
          `image ${spec.image} is not on this Docker engine (build or load it)`,
          {
            image: spec.image,
          },
        );
      }
      await removeContainer(names.container);
      await removeContainer(names.delivery);
      await ensureNetwork(spec);
      await ensureVolumes(spec);
      await deliverFiles(spec, imageDigest);
      const diskQuota = await createRuntimeContainer(spec, imageDigest);
      await startContainer(names.container);
      if (options.access === "network") await connectPeers(names.network);
      const enforcement: Enforcement = {
        diskQuota,
        ...(diskQuota === "not_enforced" && quotaRefusal !== null ? { diskQuotaReason: quotaRefusal } : {}),
        egress: PROFILE_POLICIES[spec.profile].internalNetwork ? "none" : "open",
      };
      log.info(
        { agentId: spec.agentId, container: names.container, image: imageDigest, profile: spec.profile },
        "agent runtime created",
      );
      return {
        ref: names.container,
        endpoints: endpointsFor(spec, options),
        enforcement,
        imageDigest,
      };
    });
  }

  async function existing(agentId: string, what: string): Promise<Docker.Container> {
    const name = agentNames(agentId).container;
    const info = await ignoring([404], () => docker.getContainer(name).inspect());
    if (info === undefined)
      throw new BackendError("runtime_not_found", `agent ${agentId} has no runtime to ${what}`);
    return docker.getContainer(name);
  }

  async function remove(agentId: string, removeOptions: { keepData?: boolean } = {}): Promise<void> {
    return guarded(`remove the runtime of agent ${agentId}`, async () => {
      const names = agentNames(agentId);
      await removeContainer(names.container);
      await removeContainer(names.delivery);
      await removeNetwork(names.network);
      const kinds: readonly VolumeKind[] = removeOptions.keepData ? EPHEMERAL_VOLUMES : VOLUME_KINDS;
      for (const kind of kinds) await ignoring([404], () => docker.getVolume(names.volumes[kind]).remove());
      log.info({ agentId, keepData: removeOptions.keepData === true }, "agent runtime removed");
    });
  }

  /** The endpoints of an existing container, from its port labels and its bindings or address. */
  function endpointsOf(info: Docker.ContainerInspectInfo): RuntimeEndpoints | null {
    const labels = info.Config.Labels ?? {};
    const contract = Number(labels[DOCKER_LABELS.contractPort]);
    const gateway = Number(labels[DOCKER_LABELS.gatewayPort]);
    if (!contract || !gateway) return null;
    const dashboardLabel = labels[DOCKER_LABELS.dashboardPort];
    const dashboard = dashboardLabel === undefined ? null : Number(dashboardLabel);
    if (dashboard !== null && !dashboard) return null;
    const bindings = info.HostConfig.PortBindings as
      | Record<string, { HostIp?: string; HostPort?: string }[]>
      | undefined;
    const published = (port: number) => bindings?.[`${port}/tcp`]?.[0];
    const contractBinding = published(contract);
    const gatewayBinding = published(gateway);
    // Published only when every port is: otherwise the container is reached on its network.
    const dashboardHostPort = dashboard === null ? null : published(dashboard)?.HostPort || undefined;
    if (contractBinding?.HostPort && gatewayBinding?.HostPort && dashboardHostPort !== undefined) {
      return endpointUrls(contractBinding.HostIp || options.bindIp, {
        contract: contractBinding.HostPort,
        gateway: gatewayBinding.HostPort,
        dashboard: dashboardHostPort,
      });
    }
    const network = agentNames(labels[DOCKER_LABELS.agentId] ?? "").network;
    const endpoint = info.NetworkSettings.Networks?.[network] as
      | { IPAddress?: string; IPAMConfig?: { IPv4Address?: string } | null }
      | undefined;
    const address = endpoint?.IPAMConfig?.IPv4Address || endpoint?.IPAddress;
    if (!address) return null;
    return endpointUrls(address, { contract, gateway, dashboard });
  }

  async function inspect(agentId: string): Promise<RuntimeInspection | null> {
    return guarded(`inspect the runtime of agent ${agentId}`, async () => {
      const name = agentNames(agentId).container;
      const info = await ignoring([404], () => docker.getContainer(name).inspect());
      if (info === undefined) return null;
      const labels = info.Config.Labels ?? {};
      return {
        agentId,
        workspaceId: labels[DOCKER_LABELS.workspaceId] ?? "",
        revisionId: labels[DOCKER_LABELS.revisionId] ?? null,
        ref: name,
        state: runtimeState(info.State.Status),
        running: info.State.Running,
        exitCode: info.State.Running ? null : info.State.ExitCode,
        oomKilled: info.State.OOMKilled,
        startedAt: dockerTime(info.State.StartedAt),
        finishedAt: dockerTime(info.State.FinishedAt),
        imageDigest: info.Image,
        endpoints: endpointsOf(info),
      };
    });
  }

  async function logs(agentId: string, logOptions: { tail?: number } = {}): Promise<string> {
    return guarded(`read the logs of agent ${agentId}`, async () => {
      const container = await existing(agentId, "read logs of");
      const buffer = (await container.logs({
        stdout: true,
        stderr: true,
        follow: false,
        tail: logOptions.tail ?? 200,
      })) as unknown as Buffer;
      return demuxDockerOutput(buffer).combined;
    });
  }

  async function exec(
    agentId: string,
    argv: readonly string[],
    execOptions: { timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    return guarded(`exec in agent ${agentId}`, async () => {
      if (argv.length === 0) throw new BackendError("invalid_spec", "exec needs a command");
      const container = await existing(agentId, "exec in");
      const run = await container.exec({
        Cmd: [...argv],
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      const stream = await run.start({ hijack: true, stdin: false });
      const chunks: Buffer[] = [];
      let size = 0;
      const timeoutMs = execOptions.timeoutMs ?? 30_000;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          // Docker has no call to end an exec: the process may run on; only the wait ends here.
          stream.destroy();
          reject(
            new BackendError(
              "exec_timeout",
              `exec in agent ${agentId} gave no result within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        stream.on("data", (chunk: Buffer) => {
          if (size < EXEC_OUTPUT_MAX_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        stream.on("error", (error: Error) => {
          clearTimeout(timer);
          reject(error);
        });
        stream.on("end", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      const output = demuxDockerOutput(Buffer.concat(chunks));
      const result = await run.inspect();
      return { exitCode: result.ExitCode ?? -1, stdout: output.stdout, stderr: output.stderr };
    });
  }

  async function stats(agentId: string): Promise<RuntimeStats | null> {
    return guarded(`read the stats of agent ${agentId}`, async () => {
      const name = agentNames(agentId).container;
      const info = await ignoring([404], () => docker.getContainer(name).inspect());
      if (info === undefined || !info.State.Running) return null;
      const json = (await docker.getContainer(name).stats({ stream: false })) as unknown as DockerStatsJson;
      return statsFrom(json);
    });
  }

  async function* events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    const stream = (await guarded("follow Docker events", () =>
      docker.getEvents({
        filters: {
          type: ["container"],
          label: managedRuntimes,
          event: ["start", "die", "oom", "stop", "destroy"],
        },
      }),
    )) as NodeJS.ReadableStream & { destroy(): void };
    const stop = () => stream.destroy();
    if (signal.aborted) stop();
    signal.addEventListener("abort", stop, { once: true });
    const split = lineSplitter();
    try {
      for await (const chunk of stream) {
        for (const line of split(chunk as Buffer)) {
          const event = parseDockerEvent(line);
          if (event !== null) yield event;
        }
      }
    } catch (error) {
      if (!signal.aborted) throw toBackendError(error, "follow Docker events");
    } finally {
      signal.removeEventListener("abort", stop);
      stream.destroy();
    }
    // The engine closed the stream (restarted or went away): the caller resubscribes and reconciles.
    if (!signal.aborted) throw new BackendError("backend_unavailable", "the Docker event stream ended");
  }

  async function listManaged(): Promise<ManagedRuntime[]> {
    return guarded("list managed runtimes", async () => {
      const list = await docker.listContainers({
        all: true,
        filters: { label: managedRuntimes },
      });
      return list.flatMap((c) => {
        const agentId = c.Labels[DOCKER_LABELS.agentId];
        if (agentId === undefined) return [];
        return [
          {
            agentId,
            workspaceId: c.Labels[DOCKER_LABELS.workspaceId] ?? "",
            ref: (c.Names[0] ?? "").replace(/^\//, ""),
            state: runtimeState(c.State),
          },
        ];
      });
    });
  }

  let joinedPeers = "";
  /** In network access, joins peers (the API) that started since the last call to every agent network. */
  async function reconcileAccess(): Promise<number> {
    if (options.access !== "network") return 0;
    return guarded("connect the control plane to agent networks", async () => {
      const current = (await peers()).sort().join(",");
      if (current === joinedPeers) return 0;
      const runtimes = await listManaged();
      for (const runtime of runtimes) {
        await ignoring([404], () => connectPeers(agentNames(runtime.agentId).network));
      }
      joinedPeers = current;
      return runtimes.length;
    });
  }

  return {
    target: "docker",
    reconcileAccess,
    resolveImage,
    create,
    start: (agentId) =>
      guarded(`start agent ${agentId}`, async () => {
        await existing(agentId, "start");
        await startContainer(agentNames(agentId).container);
      }),
    stop: (agentId, stopOptions = {}) =>
      guarded(`stop agent ${agentId}`, async () => {
        const container = await existing(agentId, "stop");
        await ignoring([304], () => container.stop({ t: stopOptions.timeoutSeconds ?? 10 }));
      }),
    restart: (agentId, restartOptions = {}) =>
      guarded(`restart agent ${agentId}`, async () => {
        const container = await existing(agentId, "restart");
        await container.restart({ t: restartOptions.timeoutSeconds ?? 10 });
      }),
    remove,
    inspect,
    logs,
    exec,
    stats,
    events,
    listManaged,
  };
}
