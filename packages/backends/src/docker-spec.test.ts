import { RUNTIME_CONTAINER_DEFAULTS, RUNTIME_HOSTNAME, RUNTIME_LAYOUT } from "@nora/agent-runtime";
import type { MountSettings } from "dockerode";
import { describe, expect, it } from "vitest";
import {
  agentNames,
  buildContainerSpec,
  buildDeliveryArchive,
  buildDeliverySpec,
  buildNetworkSpec,
  buildVolumeSpecs,
  DockerSpecError,
  type DockerSpecOptions,
  endpointsFor,
  PROFILE_POLICIES,
  parseSubnet,
} from "./docker-spec.js";
import type { RuntimeSpec } from "./types.js";

const AGENT = "0b6f1a52-1c1e-4c57-9a8e-2f0d7e0c9a11";

function spec(overrides: Partial<RuntimeSpec> = {}): RuntimeSpec {
  return {
    agentId: AGENT,
    workspaceId: "ws-1",
    revisionId: "rev-1",
    deploymentId: "dep-1",
    family: "openclaw",
    profile: "standard",
    image: "nora-runtime-openclaw:abc",
    resources: { vcpu: 1.5, memoryMb: 2048, diskGb: 10 },
    env: { NORA_AGENT_ID: AGENT, TZ: "UTC" },
    files: [{ path: "openclaw/openclaw.json", content: "{}\n", mode: 0o644 }],
    secretFiles: [{ path: "runtime-token", content: "tok", mode: 0o600 }],
    ports: { contract: 9090, gateway: 18789, dashboard: null },
    hostPorts: { contract: 20001, gateway: 20002, dashboard: null },
    subnet: "10.213.0.16/28",
    ...overrides,
  };
}

const published: DockerSpecOptions = { access: "published", bindIp: "127.0.0.1", diskQuota: false };
const network: DockerSpecOptions = { access: "network", bindIp: "127.0.0.1", diskQuota: false };

function mountAt(mounts: MountSettings[] | undefined, target: string): MountSettings | undefined {
  return mounts?.find((m) => m.Target === target);
}

describe("buildContainerSpec: the common hardening", () => {
  const c = buildContainerSpec(spec(), published);
  const host = c.HostConfig ?? {};

  it("names the container after the agent, with the fixed hostname and the runtime user", () => {
    expect(c.name).toBe(`nora-agent-${AGENT}`);
    expect(c.Hostname).toBe(RUNTIME_HOSTNAME);
    expect(c.User).toBe("1000:1000");
  });

  it("labels it as Nora's, with agent, workspace, revision and deployment", () => {
    expect(c.Labels).toMatchObject({
      "nora.managed": "true",
      "nora.agent.id": AGENT,
      "nora.workspace.id": "ws-1",
      "nora.revision.id": "rev-1",
      "nora.deployment.id": "dep-1",
      "nora.role": "runtime",
    });
  });

  it("drops every capability, adds none back, forbids new privileges, is not privileged", () => {
    expect(host.CapDrop).toEqual(["ALL"]);
    expect(host.CapAdd).toEqual([]);
    expect(host.SecurityOpt).toEqual(["no-new-privileges"]);
    expect(host.Privileged).toBe(false);
  });

  it("runs on a read-only root with the tmpfs mounts of RUNTIME_CONTAINER_DEFAULTS", () => {
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.Tmpfs).toEqual(RUNTIME_CONTAINER_DEFAULTS.tmpfs);
  });

  it("mounts workspace and state read-write, bootstrap and secrets read-only", () => {
    const mounts = host.Mounts;
    expect(mountAt(mounts, RUNTIME_LAYOUT.workspace)).toMatchObject({
      Type: "volume",
      Source: `nora-agent-${AGENT}-workspace`,
      ReadOnly: false,
    });
    expect(mountAt(mounts, RUNTIME_LAYOUT.state)).toMatchObject({
      Source: `nora-agent-${AGENT}-state`,
      ReadOnly: false,
    });
    expect(mountAt(mounts, RUNTIME_LAYOUT.bootstrap)).toMatchObject({
      Source: `nora-agent-${AGENT}-bootstrap`,
      ReadOnly: true,
    });
    expect(mountAt(mounts, RUNTIME_LAYOUT.secrets)).toMatchObject({
      Source: `nora-agent-${AGENT}-secrets`,
      ReadOnly: true,
    });
    expect(mounts).toHaveLength(4);
    expect(host.Binds).toBeUndefined();
  });

  it("limits pids, CPU and memory (swap equal to memory: none extra), with an init and a restart policy", () => {
    expect(host.PidsLimit).toBe(RUNTIME_CONTAINER_DEFAULTS.pidsLimit);
    expect(host.NanoCpus).toBe(1_500_000_000);
    expect(host.Memory).toBe(2048 * 1024 * 1024);
    expect(host.MemorySwap).toBe(2048 * 1024 * 1024);
    expect(host.Init).toBe(true);
    expect(host.RestartPolicy).toEqual({ Name: "unless-stopped", MaximumRetryCount: 0 });
    expect(host.IpcMode).toBe("private");
  });

  it("rotates its json-file log", () => {
    expect(host.LogConfig).toEqual({ Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } });
  });

  it("passes spec.env only, sorted, and no secret file content", () => {
    expect(c.Env).toEqual([`NORA_AGENT_ID=${AGENT}`, "TZ=UTC"]);
    expect(JSON.stringify(c)).not.toContain("tok");
  });

  it("is on its own network only, at the subnet's .2", () => {
    expect(host.NetworkMode).toBe(`nora-agent-${AGENT}`);
    expect(c.NetworkingConfig?.EndpointsConfig).toEqual({
      [`nora-agent-${AGENT}`]: { IPAMConfig: { IPv4Address: "10.213.0.18" } },
    });
  });

  it("publishes 9090 and the gateway on bindIp only, at the given host ports", () => {
    expect(host.PortBindings).toEqual({
      "9090/tcp": [{ HostIp: "127.0.0.1", HostPort: "20001" }],
      "18789/tcp": [{ HostIp: "127.0.0.1", HostPort: "20002" }],
    });
    expect(c.ExposedPorts).toEqual({ "9090/tcp": {}, "18789/tcp": {} });
  });

  it("asks for a disk quota only when the storage driver takes one", () => {
    expect(host.StorageOpt).toBeUndefined();
    expect(buildContainerSpec(spec(), { ...published, diskQuota: true }).HostConfig?.StorageOpt).toEqual({
      size: "10G",
    });
  });

  it("keeps Docker's DNS for standard", () => {
    expect(host.Dns).toBeUndefined();
  });

  it("publishes nothing in network access", () => {
    expect(buildContainerSpec(spec({ hostPorts: null }), network).HostConfig?.PortBindings).toEqual({});
  });

  it("without a dashboard port: no dashboard label", () => {
    expect(c.Labels?.["nora.port.dashboard"]).toBeUndefined();
    expect(c.Labels).toMatchObject({ "nora.port.contract": "9090", "nora.port.gateway": "18789" });
  });
});

describe("buildContainerSpec: a family with a dashboard port (Hermes)", () => {
  const hermes = (overrides: Partial<RuntimeSpec> = {}) =>
    spec({
      family: "hermes",
      ports: { contract: 9090, gateway: 8642, dashboard: 9119 },
      hostPorts: { contract: 20001, gateway: 20002, dashboard: 20003 },
      ...overrides,
    });
  const c = buildContainerSpec(hermes(), published);

  it("exposes and publishes all three ports on bindIp, and labels the dashboard", () => {
    expect(c.ExposedPorts).toEqual({ "9090/tcp": {}, "8642/tcp": {}, "9119/tcp": {} });
    expect(c.HostConfig?.PortBindings).toEqual({
      "9090/tcp": [{ HostIp: "127.0.0.1", HostPort: "20001" }],
      "8642/tcp": [{ HostIp: "127.0.0.1", HostPort: "20002" }],
      "9119/tcp": [{ HostIp: "127.0.0.1", HostPort: "20003" }],
    });
    expect(c.Labels).toMatchObject({
      "nora.port.contract": "9090",
      "nora.port.gateway": "8642",
      "nora.port.dashboard": "9119",
    });
  });

  it("exposes the three in network access and publishes none", () => {
    const n = buildContainerSpec(hermes({ hostPorts: null }), network);
    expect(n.ExposedPorts).toEqual({ "9090/tcp": {}, "8642/tcp": {}, "9119/tcp": {} });
    expect(n.HostConfig?.PortBindings).toEqual({});
  });

  it("endpoints carry the dashboard in both access modes, IPv6 bracketed", () => {
    expect(endpointsFor(hermes(), published)).toEqual({
      runtimeUrl: "http://127.0.0.1:20001",
      gatewayUrl: "http://127.0.0.1:20002",
      dashboardUrl: "http://127.0.0.1:20003",
    });
    expect(endpointsFor(hermes(), { access: "published", bindIp: "::1" }).dashboardUrl).toBe(
      "http://[::1]:20003",
    );
    expect(endpointsFor(hermes({ hostPorts: null }), network)).toEqual({
      runtimeUrl: "http://10.213.0.18:9090",
      gatewayUrl: "http://10.213.0.18:8642",
      dashboardUrl: "http://10.213.0.18:9119",
    });
    expect(endpointsFor(hermes({ profile: "nemoclaw" }), published).dashboardUrl).toBe(
      "http://10.213.0.18:9119",
    );
  });

  it("an agent without a dashboard has a null dashboardUrl", () => {
    expect(endpointsFor(spec(), published).dashboardUrl).toBeNull();
    expect(endpointsFor(spec({ hostPorts: null }), network).dashboardUrl).toBeNull();
  });
});

describe("buildContainerSpec: nemoclaw", () => {
  const c = buildContainerSpec(spec({ profile: "nemoclaw" }), published);
  const host = c.HostConfig ?? {};

  it("resolves nothing (DNS on its own loopback), fewer pids, tmpfs without exec or devices", () => {
    expect(host.Dns).toEqual(["127.0.0.1"]);
    expect(host.DnsSearch).toEqual([]);
    expect(host.PidsLimit).toBe(256);
    expect(host.PidsLimit).toBeLessThan(RUNTIME_CONTAINER_DEFAULTS.pidsLimit);
    for (const flags of Object.values(host.Tmpfs ?? {})) expect(flags).toMatch(/,noexec,nodev$/);
  });

  it("keeps every standard hardening", () => {
    expect(host.CapDrop).toEqual(["ALL"]);
    expect(host.SecurityOpt).toEqual(["no-new-privileges"]);
    expect(host.ReadonlyRootfs).toBe(true);
    expect(c.User).toBe("1000:1000");
  });

  it("publishes no port (its network is internal) and is reached at its address", () => {
    expect(host.PortBindings).toEqual({});
    expect(endpointsFor(spec({ profile: "nemoclaw" }), published)).toEqual({
      runtimeUrl: "http://10.213.0.18:9090",
      gatewayUrl: "http://10.213.0.18:18789",
      dashboardUrl: null,
    });
  });

  it("gets an internal network", () => {
    expect(buildNetworkSpec(spec({ profile: "nemoclaw" }), published).Internal).toBe(true);
    expect(PROFILE_POLICIES.nemoclaw.internalNetwork).toBe(true);
  });
});

describe("buildNetworkSpec and buildVolumeSpecs", () => {
  it("a labelled bridge on the given subnet, gateway .1, not internal for standard", () => {
    const n = buildNetworkSpec(spec(), published);
    expect(n).toMatchObject({
      Name: `nora-agent-${AGENT}`,
      Driver: "bridge",
      Internal: false,
      IPAM: { Driver: "default", Config: [{ Subnet: "10.213.0.16/28", Gateway: "10.213.0.17" }] },
      Labels: { "nora.managed": "true", "nora.agent.id": AGENT, "nora.role": "network" },
    });
  });

  it("four labelled volumes named after the agent", () => {
    const v = buildVolumeSpecs(spec(), { ...published, extraLabels: { "nora.test": "1" } });
    expect(Object.values(v).map((x) => x.Name)).toEqual(
      ["workspace", "state", "bootstrap", "secrets"].map((k) => `nora-agent-${AGENT}-${k}`),
    );
    expect(v.secrets.Labels).toMatchObject({
      "nora.volume": "secrets",
      "nora.agent.id": AGENT,
      "nora.test": "1",
    });
  });
});

describe("delivery", () => {
  it("the helper mounts bootstrap and secrets read-write, has no network, and is not a managed runtime", () => {
    const d = buildDeliverySpec(spec(), published);
    expect(d.name).toBe(`nora-agent-${AGENT}-delivery`);
    expect(d.HostConfig?.NetworkMode).toBe("none");
    expect(d.HostConfig?.Mounts?.map((m) => [m.Source, m.ReadOnly])).toEqual([
      [`nora-agent-${AGENT}-bootstrap`, false],
      [`nora-agent-${AGENT}-secrets`, false],
    ]);
    expect(d.Labels?.["nora.managed"]).toBeUndefined();
  });

  it("archives bootstrap files root-owned 0644 and secrets 0600 of uid 1000 in a 0700 directory", () => {
    const tar = buildDeliveryArchive({
      files: [{ path: "template/a/b.md", content: "hello", mode: 0o666 }],
      secretFiles: [{ path: "runtime-token", content: "tok", mode: 0o644 }],
    });
    const headers: { name: string; mode: string; uid: string; type: string }[] = [];
    for (let at = 0; at + 512 <= tar.length; ) {
      const block = tar.subarray(at, at + 512);
      if (block.every((b) => b === 0)) break;
      const field = (o: number, l: number) =>
        block
          .subarray(o, o + l)
          .toString()
          .replace(/\0.*$/s, "");
      const size = Number.parseInt(field(124, 12), 8);
      headers.push({ name: field(0, 100), mode: field(100, 8), uid: field(108, 8), type: field(156, 1) });
      at += 512 + Math.ceil(size / 512) * 512;
    }
    expect(headers).toEqual([
      { name: "bootstrap/", mode: "0000755", uid: "0000000", type: "5" },
      { name: "bootstrap/template/", mode: "0000755", uid: "0000000", type: "5" },
      { name: "bootstrap/template/a/", mode: "0000755", uid: "0000000", type: "5" },
      { name: "bootstrap/template/a/b.md", mode: "0000644", uid: "0000000", type: "0" },
      { name: "secrets/", mode: "0000700", uid: "0001750", type: "5" },
      { name: "secrets/runtime-token", mode: "0000600", uid: "0001750", type: "0" },
    ]);
  });
});

describe("refusing bad input", () => {
  const refuses = (s: RuntimeSpec, options: DockerSpecOptions, pattern: RegExp) => {
    expect(() => buildContainerSpec(s, options)).toThrow(DockerSpecError);
    expect(() => buildContainerSpec(s, options)).toThrow(pattern);
  };

  it("published access without host ports", () =>
    refuses(spec({ hostPorts: null }), published, /hostPorts: required/));
  it("equal host ports", () =>
    refuses(
      spec({ hostPorts: { contract: 20001, gateway: 20001, dashboard: null } }),
      published,
      /hostPorts: contract and gateway/,
    ));
  it("an out-of-range host port", () =>
    refuses(
      spec({ hostPorts: { contract: 70000, gateway: 20001, dashboard: null } }),
      published,
      /hostPorts/,
    ));
  it("a bind address that is not an IP", () =>
    refuses(spec(), { ...published, bindIp: "localhost" }, /bindIp/));
  it("an agent id that cannot name a container", () =>
    refuses(spec({ agentId: "../x" }), published, /agentId/));
  it("a subnet that is not a network address", () =>
    refuses(spec({ subnet: "10.213.0.17/28" }), published, /network address/));
  it("a subnet that is not IPv4", () =>
    refuses(spec({ subnet: "fd00::/64" }), published, /not an IPv4 CIDR/));
  it("zero CPUs", () =>
    refuses(spec({ resources: { vcpu: 0, memoryMb: 2048, diskGb: 1 } }), published, /vcpu/));
  it("fractional or tiny memory", () =>
    refuses(spec({ resources: { vcpu: 1, memoryMb: 10, diskGb: 1 } }), published, /memoryMb/));
  it("no disk", () =>
    refuses(spec({ resources: { vcpu: 1, memoryMb: 2048, diskGb: 0 } }), published, /diskGb/));
  it("an empty image", () => refuses(spec({ image: " " }), published, /image/));
  it("a bad environment name", () => refuses(spec({ env: { "A=B": "x" } }), published, /env\.A=B/));
  it("a file path escaping its directory", () =>
    refuses(
      spec({ files: [{ path: "../etc/passwd", content: "", mode: 0o644 }] }),
      published,
      /files: invalid archive path/,
    ));
  it("an absolute secret path", () =>
    refuses(spec({ secretFiles: [{ path: "/x", content: "", mode: 0o600 }] }), published, /secretFiles/));
  it("the same file twice", () =>
    refuses(
      spec({
        files: [
          { path: "a", content: "", mode: 0o644 },
          { path: "a", content: "", mode: 0o644 },
        ],
      }),
      published,
      /given twice/,
    ));
  it("equal contract and gateway ports", () =>
    refuses(
      spec({ ports: { contract: 9090, gateway: 9090, dashboard: null } }),
      published,
      /ports: contract and gateway/,
    ));
  it("a dashboard port equal to the contract or gateway port", () => {
    refuses(
      spec({
        ports: { contract: 9090, gateway: 18789, dashboard: 9090 },
        hostPorts: { contract: 20001, gateway: 20002, dashboard: 20003 },
      }),
      published,
      /ports\.dashboard: 9090 is also the contract or gateway port/,
    );
    refuses(
      spec({
        ports: { contract: 9090, gateway: 18789, dashboard: 18789 },
        hostPorts: { contract: 20001, gateway: 20002, dashboard: 20003 },
      }),
      network,
      /ports\.dashboard/,
    );
  });
  it("a dashboard port that is not a port", () =>
    refuses(
      spec({
        ports: { contract: 9090, gateway: 18789, dashboard: 0 },
        hostPorts: { contract: 20001, gateway: 20002, dashboard: 20003 },
      }),
      published,
      /ports\.dashboard: 0 is not a port/,
    ));
  it("a dashboard host port equal to another host port, or out of range", () => {
    const ports = { contract: 9090, gateway: 18789, dashboard: 9119 };
    refuses(
      spec({ ports, hostPorts: { contract: 20001, gateway: 20002, dashboard: 20002 } }),
      published,
      /hostPorts\.dashboard: 20002 is also the contract or gateway port/,
    );
    refuses(
      spec({ ports, hostPorts: { contract: 20001, gateway: 20002, dashboard: 65536 } }),
      published,
      /hostPorts\.dashboard: 65536 is not a port/,
    );
  });
  it("a dashboard host port without a dashboard port, or the reverse", () => {
    refuses(
      spec({ hostPorts: { contract: 20001, gateway: 20002, dashboard: 20003 } }),
      published,
      /hostPorts\.dashboard: given exactly when ports\.dashboard is/,
    );
    refuses(
      spec({ ports: { contract: 9090, gateway: 18789, dashboard: 9119 } }),
      published,
      /hostPorts\.dashboard: given exactly when ports\.dashboard is/,
    );
  });
  it("lists every issue at once", () => {
    try {
      buildContainerSpec(spec({ hostPorts: null, image: "", subnet: "x" }), published);
      expect.unreachable();
    } catch (error) {
      expect((error as DockerSpecError).issues).toHaveLength(3);
    }
  });
});

describe("addresses", () => {
  it("parseSubnet: gateway .1, agent .2", () => {
    expect(parseSubnet("10.213.255.240/28")).toEqual({
      subnet: "10.213.255.240/28",
      gateway: "10.213.255.241",
      address: "10.213.255.242",
    });
  });

  it("endpoints: published host ports on bindIp (bracketed for IPv6), else the container address", () => {
    expect(endpointsFor(spec(), published).runtimeUrl).toBe("http://127.0.0.1:20001");
    expect(endpointsFor(spec(), { access: "published", bindIp: "::1" }).gatewayUrl).toBe(
      "http://[::1]:20002",
    );
    expect(endpointsFor(spec({ hostPorts: null }), network).runtimeUrl).toBe("http://10.213.0.18:9090");
  });

  it("agentNames refuses a name Docker would not take", () => {
    expect(() => agentNames("a b")).toThrow(DockerSpecError);
  });
});
