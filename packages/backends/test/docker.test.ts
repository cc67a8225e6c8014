import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { AGENT_PORTS, RUNTIME_LAYOUT, RUNTIME_PORTS, SECRET_FILES } from "@nora/agent-runtime";
import { createLogger } from "@nora/core";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerBackend, type DockerBackendOptions } from "../src/docker.js";
import { agentNames } from "../src/docker-spec.js";
import { BackendError } from "../src/errors.js";
import { contractRuntimeImage, removeLabelled, TEST_LABEL, testRunId } from "../src/testing.js";
import type { RuntimeBackend, RuntimeEvent, RuntimeSpec } from "../src/types.js";

// Against the real Docker engine with the contract-only runtime image. Everything created carries
// nora.test=1 and this file's run label, and is removed in afterAll. Traffic goes only to this host
// and to containers this file created.

const SOCKET = "/var/run/docker.sock";
const RUN = testRunId();
const RUN_LABEL = "nora.test.run";
const docker = new Docker({ socketPath: SOCKET });
const logger = createLogger({ service: "backends-test", level: "silent" });
const extraLabels = { [TEST_LABEL]: "1", [RUN_LABEL]: RUN };
const peerLabel = { key: "nora.test.peer", value: RUN };

/** A backend of this file's tests: published access on 127.0.0.1 unless `options` says otherwise. */
const backendWith = (options: Partial<DockerBackendOptions> = {}) =>
  createDockerBackend({
    socketPath: SOCKET,
    access: "published",
    bindIp: "127.0.0.1",
    peerLabel,
    logger,
    extraLabels,
    ...options,
  });
const published = backendWith();
const viaNetwork = backendWith({ access: "network" });

let image: string;
const listeners: Server[] = [];

/** A /28 from a range Nora's default pool (10.213.0.0/16) and Docker's own pools do not use. */
function randomSubnet(): string {
  return `10.${randomInt(200, 212)}.${randomInt(0, 256)}.${randomInt(0, 16) * 16}/28`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function listenOnAllAddresses(): Promise<number> {
  const server = createServer((socket) => socket.end("hello\n"));
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  listeners.push(server);
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A Docker spec: its subnet is always set. */
type TestSpec = RuntimeSpec & { token: string; subnet: string };

async function makeSpec(
  name: string,
  overrides: Partial<Omit<RuntimeSpec, "subnet">> = {},
): Promise<TestSpec> {
  const agentId = `${RUN}-${name}`;
  const token = randomBytes(24).toString("hex");
  return {
    agentId,
    workspaceId: `${RUN}-ws`,
    revisionId: `${RUN}-rev1`,
    deploymentId: `${RUN}-dep1`,
    family: "openclaw",
    profile: "standard",
    image,
    resources: { vcpu: 0.5, memoryMb: 256, diskGb: 1 },
    env: { NORA_AGENT_ID: agentId, NORA_RUNTIME_FAMILY: "openclaw" },
    files: [{ path: "template/README.md", content: "# seeded\n", mode: 0o644 }],
    secretFiles: [{ path: SECRET_FILES.runtimeToken, content: token, mode: 0o600 }],
    ports: { contract: RUNTIME_PORTS.contract, gateway: RUNTIME_PORTS.openclawGateway, dashboard: null },
    hostPorts: { contract: await freePort(), gateway: await freePort(), dashboard: null },
    subnet: randomSubnet(),
    token,
    ...overrides,
  };
}

async function waitHealthy(url: string, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return Date.now() - started;
    } catch {
      // not yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${url} not healthy within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createWithRetry(backend: RuntimeBackend, spec: RuntimeSpec) {
  // A random test subnet can collide with another engineer's network: pick another.
  for (let attempt = 0; ; attempt++) {
    try {
      return await backend.create(spec);
    } catch (error) {
      if (attempt < 3 && error instanceof BackendError && error.code === "network_conflict") {
        spec.subnet = randomSubnet();
        continue;
      }
      throw error;
    }
  }
}

/** `nc` from inside the agent to each address:port at once; the exit code of each (0 = connected). */
async function probeFrom(
  backend: RuntimeBackend,
  agentId: string,
  targets: readonly string[],
): Promise<Record<string, number>> {
  const script = targets
    .map((t) => {
      const [host, port] = t.split(":");
      return `(nc -w 2 ${host} ${port} </dev/null >/dev/null 2>&1; echo "${t} $?") &`;
    })
    .join("\n");
  const result = await backend.exec(agentId, ["sh", "-c", `${script}\nwait`], { timeoutMs: 20_000 });
  const out: Record<string, number> = {};
  for (const line of result.stdout.trim().split("\n")) {
    const [target, code] = line.split(" ");
    if (target !== undefined && code !== undefined) out[target] = Number(code);
  }
  return out;
}

/** Every IPv4 address of this host an agent could route to. */
function hostAddresses(gateway: string, docker0: string | undefined): string[] {
  const mine = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === "IPv4")
    .map((a) => (a as { address: string }).address);
  return [...new Set([gateway, ...(docker0 === undefined ? [] : [docker0]), ...mine])];
}

async function docker0Address(): Promise<string | undefined> {
  const info = await docker.getNetwork("bridge").inspect();
  return info.IPAM?.Config?.[0]?.Gateway;
}

/** A listener of the test's own on a second network: the contract image on a network of its own. */
async function listenerOnOtherNetwork(): Promise<{ address: string }> {
  const name = `nora-test-${RUN}-other`;
  await docker.createNetwork({
    Name: name,
    Driver: "bridge",
    Labels: extraLabels,
    IPAM: { Config: [{ Subnet: randomSubnet() }] },
  });
  const container = await docker.createContainer({
    name: `nora-test-${RUN}-listener`,
    Image: image,
    Labels: extraLabels,
    User: "1000:1000",
    HostConfig: {
      NetworkMode: name,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Tmpfs: { "/var/log/nora": "uid=1000" },
    },
  });
  await container.start();
  const info = await container.inspect();
  const address = info.NetworkSettings.Networks[name]?.IPAddress ?? "";
  await waitHealthy(`http://${address}:9090`);
  return { address };
}

async function containersOf(agentId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`nora.agent.id=${agentId}`] } });
}

async function volumesOf(agentId: string): Promise<string[]> {
  const list = await docker.listVolumes({ filters: { label: [`nora.agent.id=${agentId}`] } });
  return (list.Volumes ?? []).map((v) => v.Name).sort();
}

async function networkExists(name: string): Promise<boolean> {
  return docker
    .getNetwork(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

/**
 * "Outside" without leaving the host: a network namespace of the test's own, joined to the host by a
 * veth pair and routed like any other destination beyond the agent's bridge, with a listener in it.
 * What reaches it has egress; what does not, has none.
 */
interface Outside {
  address: string;
  port: number;
  close(): void;
  /** Whether the listener's process still runs (for a failure's message). */
  state(): string;
}
let outside: Outside | undefined;
function outsideListener(): Outside {
  if (outside !== undefined) return outside;
  const ns = `nora-test-${RUN}`;
  const hostSide = `nv${RUN.slice(1, 9)}h`;
  const nsSide = `nv${RUN.slice(1, 9)}n`;
  const base = `10.199.${randomInt(0, 256)}.${randomInt(0, 64) * 4}`;
  const octets = base.split(".").map(Number);
  const at = (n: number) => `${octets.slice(0, 3).join(".")}.${(octets[3] as number) + n}`;
  const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "pipe" });
  ip("netns", "add", ns);
  let listener: ChildProcess | undefined;
  const close = () => {
    listener?.kill();
    try {
      ip("netns", "del", ns);
    } catch {
      // already gone
    }
    try {
      ip("link", "del", hostSide);
    } catch {
      // went with the namespace
    }
  };
  try {
    ip("link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
    ip("link", "set", nsSide, "netns", ns);
    ip("addr", "add", `${at(1)}/30`, "dev", hostSide);
    ip("link", "set", hostSide, "up");
    ip("netns", "exec", ns, "ip", "addr", "add", `${at(2)}/30`, "dev", nsSide);
    ip("netns", "exec", ns, "ip", "link", "set", nsSide, "up");
    ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
    listener = spawn(
      "ip",
      [
        "netns",
        "exec",
        ns,
        process.execPath,
        "-e",
        "require('net').createServer((s)=>s.end('hi\\n')).listen(7777,'0.0.0.0')",
      ],
      { stdio: "ignore" },
    );
  } catch (error) {
    close();
    throw error;
  }
  const exited = () =>
    listener?.exitCode !== null || listener?.signalCode !== null
      ? `exited (${listener?.exitCode ?? listener?.signalCode})`
      : "running";
  outside = { address: at(2), port: 7777, close, state: exited };
  return outside;
}

async function outsideReachableFromHost(target: Outside): Promise<void> {
  const { connect } = await import("node:net");
  // A loaded machine may take seconds to start the listener's node.
  for (let attempt = 0; attempt < 300; attempt++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(target.port, target.address, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the outside listener never answered the host (its process: ${target.state()})`);
}

const timings: Record<string, number> = {};

beforeAll(async () => {
  const started = Date.now();
  image = await contractRuntimeImage();
  timings.imageMs = Date.now() - started;
}, 20 * 60_000);

afterAll(async () => {
  for (const server of listeners) server.close();
  outside?.close();
  await removeLabelled(RUN_LABEL, RUN, SOCKET);
  console.log(`docker backend timings: ${JSON.stringify(timings)}`);
}, 120_000);

describe("Docker backend, standard profile, published access", () => {
  let spec: TestSpec;
  let runtimeUrl: string;

  it("creates a running runtime whose 9090 server answers at the returned endpoint", async () => {
    spec = await makeSpec("std");
    const started = Date.now();
    const created = await createWithRetry(published, spec);
    runtimeUrl = created.endpoints.runtimeUrl;
    expect(created.ref).toBe(agentNames(spec.agentId).container);
    expect(runtimeUrl).toBe(`http://127.0.0.1:${spec.hostPorts?.contract}`);
    expect(created.endpoints.gatewayUrl).toBe(`http://127.0.0.1:${spec.hostPorts?.gateway}`);
    expect(created.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(created.imageDigest).toBe(await published.resolveImage(image));
    await waitHealthy(runtimeUrl);
    timings.createToHealthyMs = Date.now() - started;
    expect(created.enforcement.egress).toBe("open");
    const info = await docker.info();
    const backing = JSON.stringify(info.DriverStatus ?? []);
    if (info.Driver === "overlay2" && !backing.includes("xfs")) {
      expect(created.enforcement.diskQuota).toBe("not_enforced");
      expect(created.enforcement.diskQuotaReason).toMatch(/storage driver refused/);
    }
    const inspection = await published.inspect(spec.agentId);
    expect(inspection).toMatchObject({
      agentId: spec.agentId,
      state: "running",
      running: true,
      revisionId: spec.revisionId,
    });
    expect(inspection?.endpoints).toEqual(created.endpoints);
  });

  it("is hardened as docker inspect shows", async () => {
    const info = await docker.getContainer(agentNames(spec.agentId).container).inspect();
    const host = info.HostConfig;
    expect(host.CapDrop).toEqual(["ALL"]);
    expect(host.CapAdd ?? []).toEqual([]);
    expect(host.SecurityOpt).toContain("no-new-privileges");
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.Privileged).toBe(false);
    expect(info.Config.User).toBe("1000:1000");
    expect(info.Config.Hostname).toBe("nora-runtime");
    expect(host.Memory).toBe(256 * 1024 * 1024);
    expect(host.MemorySwap).toBe(256 * 1024 * 1024);
    expect(host.NanoCpus).toBe(500_000_000);
    expect(host.PidsLimit).toBe(512);
    expect(host.Init).toBe(true);
    expect(host.RestartPolicy?.Name).toBe("unless-stopped");
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([agentNames(spec.agentId).network]);
    const ports = info.NetworkSettings.Ports as Record<string, { HostIp: string; HostPort: string }[] | null>;
    expect(ports["9090/tcp"]).toEqual([{ HostIp: "127.0.0.1", HostPort: String(spec.hostPorts?.contract) }]);
    expect(ports["18789/tcp"]).toEqual([{ HostIp: "127.0.0.1", HostPort: String(spec.hostPorts?.gateway) }]);
    // No dashboard port for this family: exactly two published, no dashboard label, no URL.
    expect(
      Object.keys(ports)
        .filter((p) => ports[p])
        .sort(),
    ).toEqual(["18789/tcp", "9090/tcp"]);
    expect(info.Config.Labels["nora.port.dashboard"]).toBeUndefined();
    expect((await published.inspect(spec.agentId))?.endpoints?.dashboardUrl).toBeNull();
    const rw = Object.fromEntries(info.Mounts.map((m) => [m.Destination, m.RW]));
    expect(rw).toEqual({
      [RUNTIME_LAYOUT.workspace]: true,
      [RUNTIME_LAYOUT.state]: true,
      [RUNTIME_LAYOUT.bootstrap]: false,
      [RUNTIME_LAYOUT.secrets]: false,
    });
    expect(info.Config.Env).not.toContain(spec.token);
    expect(JSON.stringify(info)).not.toContain(spec.token);
  });

  it("delivered the secret file (0600, uid 1000, in a 0700 directory) and the bootstrap files read-only", async () => {
    const unauthorised = await fetch(`${runtimeUrl}/info`);
    expect(unauthorised.status).toBe(401);
    const res = await fetch(`${runtimeUrl}/info`, { headers: { authorization: `Bearer ${spec.token}` } });
    expect(res.status).toBe(200);
    const modes = await published.exec(spec.agentId, [
      "stat",
      "-c",
      "%n %a %u",
      RUNTIME_LAYOUT.secrets,
      `${RUNTIME_LAYOUT.secrets}/${SECRET_FILES.runtimeToken}`,
      RUNTIME_LAYOUT.bootstrap,
      `${RUNTIME_LAYOUT.bootstrap}/template/README.md`,
    ]);
    expect(modes.exitCode).toBe(0);
    expect(modes.stdout.trim().split("\n")).toEqual([
      `${RUNTIME_LAYOUT.secrets} 700 1000`,
      `${RUNTIME_LAYOUT.secrets}/${SECRET_FILES.runtimeToken} 600 1000`,
      `${RUNTIME_LAYOUT.bootstrap} 755 0`,
      `${RUNTIME_LAYOUT.bootstrap}/template/README.md 644 0`,
    ]);
    // The template was seeded into the workspace by the runtime server.
    const seeded = await published.exec(spec.agentId, ["cat", `${RUNTIME_LAYOUT.workspace}/README.md`]);
    expect(seeded.stdout).toBe("# seeded\n");
    for (const path of ["/probe", `${RUNTIME_LAYOUT.secrets}/probe`, `${RUNTIME_LAYOUT.bootstrap}/probe`]) {
      const write = await published.exec(spec.agentId, ["touch", path]);
      expect(write.exitCode, path).not.toBe(0);
      expect(write.stderr).toMatch(/Read-only file system/);
    }
  });

  it("create twice leaves exactly one container, healthy", async () => {
    await createWithRetry(published, spec);
    expect(await containersOf(spec.agentId)).toHaveLength(1);
    await waitHealthy(runtimeUrl);
  });

  it("stop, start and restart, with the Docker events of each", async () => {
    const controller = new AbortController();
    const seen: RuntimeEvent[] = [];
    const following = (async () => {
      for await (const event of published.events(controller.signal)) {
        if (event.agentId === spec.agentId) seen.push(event);
      }
    })();
    await new Promise((r) => setTimeout(r, 300));

    await published.stop(spec.agentId, { timeoutSeconds: 5 });
    expect((await published.inspect(spec.agentId))?.state).toBe("exited");
    expect(await published.stats(spec.agentId)).toBeNull();
    await published.stop(spec.agentId);
    await published.start(spec.agentId);
    await waitHealthy(runtimeUrl);
    await published.restart(spec.agentId, { timeoutSeconds: 5 });
    await waitHealthy(runtimeUrl);
    expect((await published.inspect(spec.agentId))?.running).toBe(true);

    await new Promise((r) => setTimeout(r, 500));
    controller.abort();
    await following;
    const types = seen.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["die", "stop", "start"]));
    expect(types.filter((t) => t === "start").length).toBeGreaterThanOrEqual(2);
    const die = seen.find((e) => e.type === "die");
    expect(die?.exitCode).toBe(0);
    expect(die?.at).toBeInstanceOf(Date);
  });

  it("lists it as managed, reads its stats and its logs", async () => {
    const managed = await published.listManaged();
    expect(managed).toContainEqual({
      agentId: spec.agentId,
      workspaceId: spec.workspaceId,
      ref: agentNames(spec.agentId).container,
      state: "running",
    });
    const stats = await published.stats(spec.agentId);
    expect(stats?.memoryLimitBytes).toBe(256 * 1024 * 1024);
    expect(stats?.memoryBytes).toBeGreaterThan(0);
    expect(stats?.pids).toBeGreaterThan(0);
    expect(await published.logs(spec.agentId, { tail: 50 })).toContain("runtime server listening");
  });

  it("isolation: PostgreSQL and Redis are unreachable at every host address, another network's listener too", async () => {
    const gateway = spec.subnet.replace(/\.(\d+)\/28$/, (_, last) => `.${Number(last) + 1}`);
    const addresses = hostAddresses(gateway, await docker0Address());
    const other = await listenerOnOtherNetworkOnce();
    // The test's own probe that the other container listens: the host reaches it.
    expect((await fetch(`http://${other.address}:9090/health`)).status).toBe(200);
    const open = await listenOnAllAddresses();
    const world = outsideListener();
    await outsideReachableFromHost(world);
    const targets = [
      ...addresses.flatMap((a) => [`${a}:5432`, `${a}:6379`]),
      `${other.address}:9090`,
      `${gateway}:${open}`,
      `${world.address}:${world.port}`,
    ];
    const result = await probeFrom(published, spec.agentId, targets);
    for (const a of addresses) {
      expect(result[`${a}:5432`], `${a}:5432`).not.toBe(0);
      expect(result[`${a}:6379`], `${a}:6379`).not.toBe(0);
    }
    expect(result[`${other.address}:9090`]).not.toBe(0);
    // Measured, and documented in docs/provisioning.md: a host port bound to 0.0.0.0 is reachable
    // through the agent's gateway (the host's INPUT chain accepts it) unless the operator's firewall
    // drops it. This assertion is the positive control that the probe can connect at all.
    expect(result[`${gateway}:${open}`]).toBe(0);
    // Egress is open in the standard profile: a destination beyond the host answers.
    expect(result[`${world.address}:${world.port}`]).toBe(0);
  });

  it("remove with keepData keeps workspace and state; the next create finds the agent's work", async () => {
    const names = agentNames(spec.agentId);
    await published.exec(spec.agentId, ["sh", "-c", `echo kept > ${RUNTIME_LAYOUT.workspace}/work.txt`]);
    await published.remove(spec.agentId, { keepData: true });
    expect(await containersOf(spec.agentId)).toHaveLength(0);
    expect(await networkExists(names.network)).toBe(false);
    expect(await volumesOf(spec.agentId)).toEqual([names.volumes.state, names.volumes.workspace].sort());
    expect(await published.inspect(spec.agentId)).toBeNull();

    await createWithRetry(published, spec);
    await waitHealthy(runtimeUrl);
    expect((await published.exec(spec.agentId, ["cat", `${RUNTIME_LAYOUT.workspace}/work.txt`])).stdout).toBe(
      "kept\n",
    );
  });

  it("remove without keepData leaves nothing, and removing again is not an error", async () => {
    await published.remove(spec.agentId);
    expect(await containersOf(spec.agentId)).toHaveLength(0);
    expect(await volumesOf(spec.agentId)).toEqual([]);
    expect(await networkExists(agentNames(spec.agentId).network)).toBe(false);
    await published.remove(spec.agentId);
    expect(await published.stats(spec.agentId)).toBeNull();
    await expect(published.start(spec.agentId)).rejects.toMatchObject({ code: "runtime_not_found" });
  });
});

describe("Docker backend, a family with a dashboard port (Hermes: gateway 8642, dashboard 9119)", () => {
  const hermesPorts = { contract: RUNTIME_PORTS.contract, ...AGENT_PORTS.hermes };

  it("publishes the three ports on 127.0.0.1, and the dashboard answers at dashboardUrl", async () => {
    const spec = await makeSpec("dash", {
      family: "hermes",
      ports: hermesPorts,
      hostPorts: { contract: await freePort(), gateway: await freePort(), dashboard: await freePort() },
    });
    const created = await createWithRetry(published, spec);
    expect(created.endpoints).toEqual({
      runtimeUrl: `http://127.0.0.1:${spec.hostPorts?.contract}`,
      gatewayUrl: `http://127.0.0.1:${spec.hostPorts?.gateway}`,
      dashboardUrl: `http://127.0.0.1:${spec.hostPorts?.dashboard}`,
    });
    const info = await docker.getContainer(agentNames(spec.agentId).container).inspect();
    const ports = info.NetworkSettings.Ports as Record<string, { HostIp: string; HostPort: string }[] | null>;
    expect(Object.fromEntries(Object.entries(ports).filter(([, bound]) => bound))).toEqual({
      "9090/tcp": [{ HostIp: "127.0.0.1", HostPort: String(spec.hostPorts?.contract) }],
      "8642/tcp": [{ HostIp: "127.0.0.1", HostPort: String(spec.hostPorts?.gateway) }],
      "9119/tcp": [{ HostIp: "127.0.0.1", HostPort: String(spec.hostPorts?.dashboard) }],
    });
    expect(info.Config.Labels).toMatchObject({ "nora.port.gateway": "8642", "nora.port.dashboard": "9119" });
    // A provisioner that did not create it (a restart, an adoption) recovers every endpoint from inspect.
    expect((await backendWith().inspect(spec.agentId))?.endpoints).toEqual(created.endpoints);

    // Something listening on the container's 9119 is what the published dashboard port reaches.
    await waitHealthy(created.endpoints.runtimeUrl);
    const listen = `require("http").createServer((q, r) => r.end("dashboard ${RUN}")).listen(9119)`;
    const started = await published.exec(spec.agentId, ["sh", "-c", `node -e '${listen}' >/dev/null 2>&1 &`]);
    expect(started.exitCode).toBe(0);
    let body = "";
    for (let i = 0; i < 100 && body === ""; i++) {
      body = await fetch(created.endpoints.dashboardUrl as string, { signal: AbortSignal.timeout(1000) })
        .then((res) => res.text())
        .catch(() => "");
      if (body === "") await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe(`dashboard ${RUN}`);
    await published.remove(spec.agentId);
  });

  it("in network access publishes none and recovers dashboardUrl at the container's address", async () => {
    const spec = await makeSpec("dashnet", { family: "hermes", ports: hermesPorts, hostPorts: null });
    const created = await createWithRetry(viaNetwork, spec);
    const address = spec.subnet.replace(/\.(\d+)\/28$/, (_, last) => `.${Number(last) + 2}`);
    expect(created.endpoints.dashboardUrl).toBe(`http://${address}:9119`);
    expect((await viaNetwork.inspect(spec.agentId))?.endpoints).toEqual({
      runtimeUrl: `http://${address}:9090`,
      gatewayUrl: `http://${address}:8642`,
      dashboardUrl: `http://${address}:9119`,
    });
    const info = await docker.getContainer(agentNames(spec.agentId).container).inspect();
    expect(Object.values(info.NetworkSettings.Ports ?? {}).every((bound) => !bound)).toBe(true);
    await viaNetwork.remove(spec.agentId);
  });
});

describe("Docker backend, nemoclaw profile", () => {
  it("an internal network: no egress, no outside names, no other network, no PostgreSQL; the host still reaches 9090", async () => {
    const spec = await makeSpec("nemo", { profile: "nemoclaw" });
    const created = await createWithRetry(published, spec);
    expect(created.enforcement.egress).toBe("none");
    const address = spec.subnet.replace(/\.(\d+)\/28$/, (_, last) => `.${Number(last) + 2}`);
    expect(created.endpoints.runtimeUrl).toBe(`http://${address}:9090`);
    await waitHealthy(created.endpoints.runtimeUrl);

    const info = await docker.getContainer(agentNames(spec.agentId).container).inspect();
    expect(info.HostConfig.PidsLimit).toBe(256);
    expect(info.HostConfig.Dns).toEqual(["127.0.0.1"]);
    expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(Object.keys(info.NetworkSettings.Ports ?? {}).every((p) => !info.NetworkSettings.Ports[p])).toBe(
      true,
    );
    expect((await docker.getNetwork(agentNames(spec.agentId).network).inspect()).Internal).toBe(true);

    const dns = await published.exec(spec.agentId, ["nslookup", "nora-dns-probe.invalid"]);
    expect(dns.exitCode).not.toBe(0);
    // tmpfs without exec: a script copied to /tmp does not run.
    const noexec = await published.exec(spec.agentId, [
      "sh",
      "-c",
      "cp /bin/busybox /tmp/bb && /tmp/bb true",
    ]);
    expect(noexec.exitCode).not.toBe(0);

    const gateway = spec.subnet.replace(/\.(\d+)\/28$/, (_, last) => `.${Number(last) + 1}`);
    const other = await listenerOnOtherNetworkOnce();
    const world = outsideListener();
    await outsideReachableFromHost(world);
    const open = await listenOnAllAddresses();
    const addresses = hostAddresses(gateway, await docker0Address());
    const targets = [
      ...addresses.flatMap((a) => [`${a}:5432`, `${a}:6379`]),
      `${other.address}:9090`,
      `${world.address}:${world.port}`,
      `${gateway}:${open}`,
    ];
    const result = await probeFrom(published, spec.agentId, targets);
    // No egress: the destination beyond the host that the standard agent reached is unreachable.
    expect(result[`${world.address}:${world.port}`]).not.toBe(0);
    expect(result[`${other.address}:9090`]).not.toBe(0);
    for (const a of addresses) {
      expect(result[`${a}:5432`], `${a}:5432`).not.toBe(0);
      expect(result[`${a}:6379`], `${a}:6379`).not.toBe(0);
    }
    // Measured: an internal network does not shield the host itself; a port bound to 0.0.0.0 on
    // the host is still reachable through the gateway (docs/provisioning.md, "Networking").
    expect(result[`${gateway}:${open}`]).toBe(0);

    await published.remove(spec.agentId);
    expect(await volumesOf(spec.agentId)).toEqual([]);
  });
});

let otherListener: Promise<{ address: string }> | undefined;
function listenerOnOtherNetworkOnce(): Promise<{ address: string }> {
  otherListener ??= listenerOnOtherNetwork();
  return otherListener;
}

describe("Docker backend, network access", () => {
  it("connects the peers to the agent network at create and disconnects them at remove", async () => {
    const peer = await docker.createContainer({
      name: `nora-test-${RUN}-peer`,
      Image: image,
      Labels: { ...extraLabels, [peerLabel.key]: peerLabel.value },
      User: "1000:1000",
      HostConfig: { NetworkMode: "bridge", CapDrop: ["ALL"], Tmpfs: { "/var/log/nora": "uid=1000" } },
    });
    await peer.start();
    const spec = await makeSpec("net", { hostPorts: null });
    const created = await createWithRetry(viaNetwork, spec);
    const address = spec.subnet.replace(/\.(\d+)\/28$/, (_, last) => `.${Number(last) + 2}`);
    expect(created.endpoints.runtimeUrl).toBe(`http://${address}:9090`);
    const info = await peer.inspect();
    expect(Object.keys(info.NetworkSettings.Networks)).toContain(agentNames(spec.agentId).network);

    // The peer (the API container in the stack) reaches the agent's 9090 over the agent network.
    const run = await peer.exec({
      Cmd: [
        "sh",
        "-c",
        `for i in $(seq 100); do wget -qO- ${created.endpoints.runtimeUrl}/health && exit 0; sleep 0.1; done; exit 1`,
      ],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await run.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    await new Promise((r) => stream.on("end", r));
    expect(Buffer.concat(chunks).toString()).toContain('{"status":"ok"}');
    const agentInfo = await docker.getContainer(agentNames(spec.agentId).container).inspect();
    expect(
      Object.keys(agentInfo.NetworkSettings.Ports ?? {}).every((p) => !agentInfo.NetworkSettings.Ports[p]),
    ).toBe(true);

    await viaNetwork.remove(spec.agentId);
    expect(Object.keys((await peer.inspect()).NetworkSettings.Networks)).not.toContain(
      agentNames(spec.agentId).network,
    );
  });
});

describe("Docker backend, network access: a peer started later", () => {
  it("is joined to existing agent networks by reconcileAccess, once per change of peers", async () => {
    const spec = await makeSpec("late", { hostPorts: null });
    await createWithRetry(viaNetwork, spec);
    expect(await viaNetwork.reconcileAccess()).toBeGreaterThanOrEqual(0);
    const peer = await docker.createContainer({
      name: `nora-test-${RUN}-late-peer`,
      Image: image,
      Labels: { ...extraLabels, [peerLabel.key]: peerLabel.value },
      User: "1000:1000",
      HostConfig: { NetworkMode: "bridge", CapDrop: ["ALL"], Tmpfs: { "/var/log/nora": "uid=1000" } },
    });
    await peer.start();
    expect(Object.keys((await peer.inspect()).NetworkSettings.Networks)).not.toContain(
      agentNames(spec.agentId).network,
    );
    expect(await viaNetwork.reconcileAccess()).toBeGreaterThanOrEqual(1);
    expect(Object.keys((await peer.inspect()).NetworkSettings.Networks)).toContain(
      agentNames(spec.agentId).network,
    );
    // Nothing changed since: the next call does no work.
    expect(await viaNetwork.reconcileAccess()).toBe(0);
    await viaNetwork.remove(spec.agentId);
    await peer.remove({ force: true });
  });
});

describe("Docker backend, two installations on one engine", () => {
  it("lists and reconciles only its own installation's runtimes", async () => {
    const mine = backendWith({ installationId: `${RUN}-mine` });
    const theirs = backendWith({ installationId: `${RUN}-theirs` });
    const spec = await makeSpec("installation");
    await createWithRetry(mine, spec);
    const info = await docker.getContainer(agentNames(spec.agentId).container).inspect();
    expect(info.Config.Labels["nora.installation"]).toBe(`${RUN}-mine`);
    expect((await mine.listManaged()).map((r) => r.agentId)).toContain(spec.agentId);
    expect((await theirs.listManaged()).map((r) => r.agentId)).not.toContain(spec.agentId);
    await mine.remove(spec.agentId);
  });
});

describe("Docker backend errors", () => {
  it("a missing image is image_not_found with its name, and creates nothing", async () => {
    const spec = await makeSpec("noimg", { image: `nora-runtime-missing:${RUN}` });
    const error = await published.create(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: "image_not_found", image: `nora-runtime-missing:${RUN}` });
    expect(await published.resolveImage(`nora-runtime-missing:${RUN}`)).toBeNull();
    expect(await containersOf(spec.agentId)).toHaveLength(0);
    expect(await volumesOf(spec.agentId)).toEqual([]);
  });

  it("a spec without host ports in published access is invalid_spec, and creates nothing", async () => {
    const spec = await makeSpec("nohp", { hostPorts: null });
    await expect(published.create(spec)).rejects.toMatchObject({ code: "invalid_spec" });
    expect(await networkExists(agentNames(spec.agentId).network)).toBe(false);
  });

  it("an unreachable engine is backend_unavailable", async () => {
    const away = backendWith({ socketPath: `/tmp/nora-no-docker-${RUN}.sock` });
    await expect(away.listManaged()).rejects.toMatchObject({ code: "backend_unavailable" });
    await expect(away.resolveImage(image)).rejects.toMatchObject({ code: "backend_unavailable" });
  });
});
