import type { V1Deployment, V1NetworkPolicy, V1Service } from "@kubernetes/client-node";
import { RUNTIME_LAYOUT, RUNTIME_PORTS, RUNTIME_UID, SECRET_FILES } from "@nora/agent-runtime";
import { describe, expect, it } from "vitest";
import { isBackendError } from "./errors.js";
import {
  buildAgentObjects,
  buildAnchor,
  buildDeployment,
  buildNetworkPolicy,
  buildPvc,
  buildSecret,
  buildService,
  checkKubeSpec,
  contentHash,
  KUBE_ANNOTATIONS,
  type KubernetesManifestOptions,
  kubeNames,
  MAX_AGENT_ID_LENGTH,
  serviceEndpoints,
} from "./kubernetes-manifests.js";
import type { RuntimeSpec } from "./types.js";

const UID = "0f8e0a3c-4a39-4d1b-9a51-2b8c0c6f3e11";
const AGENT = "3f2b9c1e-5d4a-4f6b-8e7c-1a2b3c4d5e6f";

const options: KubernetesManifestOptions = {
  namespace: "nora-agents",
  installationId: "inst-1",
  controlPlane: { namespace: "nora-system", cidrs: ["10.20.0.0/16"] },
  egressAllowlist: {
    standard: [{ cidr: "192.0.2.0/24", ports: [5432] }],
    nemoclaw: [{ cidr: "198.51.100.7/32", ports: [443] }],
  },
};

function spec(overrides: Partial<RuntimeSpec> = {}): RuntimeSpec {
  return {
    agentId: AGENT,
    workspaceId: "8d3c2b1a-0000-4000-8000-000000000001",
    revisionId: "rev-1",
    deploymentId: "dep-1",
    family: "openclaw",
    profile: "standard",
    image: `ghcr.io/nora/openclaw@sha256:${"b".repeat(64)}`,
    resources: { vcpu: 1.5, memoryMb: 2048, diskGb: 10 },
    env: { NODE_ENV: "production", NORA_AGENT_ID: AGENT },
    files: [
      { path: "openclaw/openclaw.json", content: "{}\n", mode: 0o644 },
      { path: "template/run.sh", content: "#!/bin/sh\n", mode: 0o755 },
    ],
    secretFiles: [
      { path: SECRET_FILES.runtimeToken, content: "token-1", mode: 0o600 },
      { path: SECRET_FILES.agentEnv, content: '{"K":"v"}', mode: 0o600 },
    ],
    ports: { contract: RUNTIME_PORTS.contract, gateway: RUNTIME_PORTS.openclawGateway, dashboard: null },
    hostPorts: null,
    subnet: "10.213.0.0/28",
    ...overrides,
  };
}

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isBackendError(error, "invalid_spec")).toBe(true);
    return (error as Error).message;
  }
  throw new Error("not refused");
}

describe("names", () => {
  it("are DNS-1123 labels within 63 characters, from the agent id", () => {
    const long = "a".repeat(MAX_AGENT_ID_LENGTH);
    for (const name of Object.values(kubeNames(long))) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z]([a-z0-9-]*[a-z0-9])?$/);
    }
    expect(kubeNames(AGENT).deployment).toBe(`nora-agent-${AGENT}`);
  });

  it("refuses an agent id that cannot name objects", () => {
    expect(refused(() => kubeNames("a".repeat(MAX_AGENT_ID_LENGTH + 1)))).toMatch(/at most 42/);
    refused(() => kubeNames("Agent_1"));
    refused(() => kubeNames("-a"));
  });
});

describe("checkKubeSpec", () => {
  it("accepts the representative spec", () => {
    expect(() => checkKubeSpec(spec(), options)).not.toThrow();
  });

  it("refuses what the server would refuse or what would leave the agent unreachable", () => {
    expect(refused(() => checkKubeSpec(spec(), { ...options, controlPlane: {} }))).toMatch(/controlPlane/);
    expect(
      refused(() => checkKubeSpec(spec(), { ...options, controlPlane: { cidrs: ["10.0.0.0/33"] } })),
    ).toMatch(/not a CIDR/);
    expect(refused(() => checkKubeSpec(spec({ revisionId: "rev/1" }), options))).toMatch(/revisionId/);
    expect(
      refused(() =>
        checkKubeSpec(spec({ ports: { contract: 9090, gateway: 9090, dashboard: null } }), options),
      ),
    ).toMatch(/two distinct ports/);
    expect(
      refused(() =>
        checkKubeSpec(spec({ ports: { contract: 9090, gateway: 8642, dashboard: 8642 } }), options),
      ),
    ).toMatch(/ports\.dashboard: 8642 is also the contract or gateway port/);
    expect(
      refused(() =>
        checkKubeSpec(spec({ ports: { contract: 9090, gateway: 8642, dashboard: 1.5 } }), options),
      ),
    ).toMatch(/ports\.dashboard: 1\.5 is not a port/);
    expect(refused(() => checkKubeSpec(spec({ env: { "BAD-NAME": "x" } }), options))).toMatch(/env.BAD-NAME/);
    expect(
      refused(() =>
        checkKubeSpec(spec({ files: [{ path: "../etc/passwd", content: "", mode: 0o644 }] }), options),
      ),
    ).toMatch(/files/);
    expect(
      refused(() =>
        checkKubeSpec(spec(), { ...options, egressAllowlist: { standard: [{ cidr: "x", ports: [0] }] } }),
      ),
    ).toMatch(/not a CIDR.*port 0/);
    expect(() =>
      buildAgentObjects(spec({ resources: { vcpu: 0, memoryMb: 2048, diskGb: 1 } }), options, UID),
    ).toThrow(/resources.vcpu/);
  });
});

describe("the object set", () => {
  const set = buildAgentObjects(spec(), options, UID);

  it("is the Secret, bootstrap ConfigMap, PVC, NetworkPolicy, Service and Deployment, all owned by the anchor", () => {
    expect(set.map((o) => o.kind)).toEqual([
      "Secret",
      "ConfigMap",
      "PersistentVolumeClaim",
      "NetworkPolicy",
      "Service",
      "Deployment",
    ]);
    for (const object of set) {
      expect(object.metadata?.namespace).toBe("nora-agents");
      expect(object.metadata?.ownerReferences).toEqual([
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          name: `nora-agent-${AGENT}`,
          uid: UID,
          blockOwnerDeletion: true,
          controller: false,
        },
      ]);
    }
    expect(buildAnchor(spec(), options).metadata?.ownerReferences).toBeUndefined();
  });

  it("labels everything as Nora's, with the installation, agent and workspace", () => {
    for (const object of [buildAnchor(spec(), options), ...set]) {
      expect(object.metadata?.labels).toMatchObject({
        "nora.managed": "true",
        "nora.installation": "inst-1",
        "nora.agent.id": AGENT,
        "nora.workspace.id": spec().workspaceId,
      });
    }
    const withExtra = buildSecret(spec(), { ...options, extraLabels: { "nora.test": "1" } }, UID);
    expect(withExtra.metadata?.labels?.["nora.test"]).toBe("1");
  });

  it("keeps secrets in the Secret only, as base64 under keys a Secret accepts", () => {
    const secret = buildSecret(spec(), options, UID);
    expect(secret.data).toEqual({
      f0: Buffer.from('{"K":"v"}').toString("base64"),
      f1: Buffer.from("token-1").toString("base64"),
    });
    const text = JSON.stringify(set.filter((o) => o.kind !== "Secret"));
    expect(text).not.toContain("token-1");
    expect(text).not.toContain(Buffer.from("token-1").toString("base64"));
  });

  it("sizes the PVC from disk_gb, with the storage class when one is configured", () => {
    expect(buildPvc(spec(), options, UID).spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "10Gi" } },
    });
    expect(buildPvc(spec(), { ...options, storageClassName: "fast" }, UID).spec?.storageClassName).toBe(
      "fast",
    );
  });
});

describe("the Deployment", () => {
  const deployment = buildDeployment(spec(), options, UID) as V1Deployment;
  const pod = deployment.spec?.template.spec;
  const container = pod?.containers[0];

  it("runs one replica by default with Recreate, leaving replicas to the lifecycle manager", () => {
    expect(deployment.spec?.replicas).toBeUndefined();
    expect(deployment.spec?.strategy).toEqual({ type: "Recreate" });
    expect(deployment.spec?.selector.matchLabels).toEqual({
      "nora.installation": "inst-1",
      "nora.agent.id": AGENT,
      "nora.role": "runtime",
    });
    expect(deployment.spec?.template.metadata?.labels).toMatchObject({
      "nora.revision.id": "rev-1",
      "nora.deployment.id": "dep-1",
    });
  });

  it("is hardened: non-root 1000, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp", () => {
    expect(pod?.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: RUNTIME_UID,
      runAsGroup: 1000,
      fsGroup: 1000,
      fsGroupChangePolicy: "OnRootMismatch",
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container?.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.enableServiceLinks).toBe(false);
    expect(pod?.hostname).toBe("nora-runtime");
    expect(pod?.dnsPolicy).toBeUndefined();
  });

  it("requests what it limits, from vcpu and memory", () => {
    expect(container?.resources).toEqual({
      requests: { cpu: "1500m", memory: "2048Mi" },
      limits: { cpu: "1500m", memory: "2048Mi" },
    });
  });

  it("probes the contract server's /health on the contract port", () => {
    for (const probe of [container?.startupProbe, container?.readinessProbe, container?.livenessProbe]) {
      expect(probe?.httpGet).toEqual({ path: "/health", port: "contract", scheme: "HTTP" });
    }
    expect(container?.ports).toEqual([
      { name: "contract", containerPort: 9090, protocol: "TCP" },
      { name: "gateway", containerPort: 18789, protocol: "TCP" },
    ]);
  });

  it("mounts workspace and state from the PVC by subPath, bootstrap and secrets read-only, /tmp and logs as emptyDirs", () => {
    expect(container?.volumeMounts).toEqual([
      { name: "data", mountPath: RUNTIME_LAYOUT.workspace, subPath: "workspace" },
      { name: "data", mountPath: RUNTIME_LAYOUT.state, subPath: "state" },
      { name: "bootstrap", mountPath: RUNTIME_LAYOUT.bootstrap, readOnly: true },
      { name: "secrets", mountPath: RUNTIME_LAYOUT.secrets, readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
      { name: "logs", mountPath: RUNTIME_LAYOUT.logs },
    ]);
    const volumes = Object.fromEntries((pod?.volumes ?? []).map((v) => [v.name, v]));
    expect(volumes.secrets?.secret).toEqual({
      secretName: `nora-agent-${AGENT}-secrets`,
      defaultMode: 0o400,
      items: [
        { key: "f0", path: SECRET_FILES.agentEnv, mode: 0o400 },
        { key: "f1", path: SECRET_FILES.runtimeToken, mode: 0o400 },
      ],
    });
    expect(volumes.bootstrap?.configMap?.items).toEqual([
      { key: "f0", path: "openclaw/openclaw.json", mode: 0o444 },
      { key: "f1", path: "template/run.sh", mode: 0o555 },
    ]);
    expect(volumes.tmp?.emptyDir).toEqual({ sizeLimit: "256Mi" });
    expect(volumes.logs?.emptyDir).toEqual({ sizeLimit: "64Mi" });
    expect(volumes.data?.persistentVolumeClaim).toEqual({ claimName: `nora-agent-${AGENT}-data` });
  });

  it("passes the safe env sorted, and hashes env, config and secrets into the template so a change rolls the pod", () => {
    expect(container?.env).toEqual([
      { name: "NODE_ENV", value: "production" },
      { name: "NORA_AGENT_ID", value: AGENT },
    ]);
    const hash = deployment.spec?.template.metadata?.annotations?.[KUBE_ANNOTATIONS.contentHash];
    expect(hash).toBe(contentHash(spec()));
    expect(contentHash({ ...spec(), files: [...spec().files].reverse() })).toBe(hash);
    const rotated = spec({
      secretFiles: [{ path: SECRET_FILES.runtimeToken, content: "token-2", mode: 0o600 }],
    });
    expect(contentHash(rotated)).not.toBe(hash);
    expect(contentHash(spec({ env: { NODE_ENV: "development" } }))).not.toBe(hash);
  });

  it("names a scheduler only when configured", () => {
    expect(pod?.schedulerName).toBeUndefined();
    const custom = buildDeployment(spec(), { ...options, schedulerName: "gpu-scheduler" }, UID);
    expect(custom.spec?.template.spec?.schedulerName).toBe("gpu-scheduler");
    expect(() => checkKubeSpec(spec(), { ...options, schedulerName: "Bad Name" })).toThrow(/schedulerName/);
  });

  it("resolves nothing in nemoclaw, as on Docker", () => {
    const nemo = buildDeployment(spec({ profile: "nemoclaw" }), options, UID).spec?.template.spec;
    expect(nemo?.dnsPolicy).toBe("None");
    expect(nemo?.dnsConfig).toEqual({ nameservers: ["127.0.0.1"] });
  });
});

describe("the Service", () => {
  it("is ClusterIP by default on the contract and gateway ports, NodePort or LoadBalancer when configured", () => {
    const service = buildService(spec(), options, UID);
    expect(service.spec?.type).toBe("ClusterIP");
    expect(service.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).toEqual([
      ["contract", 9090, "contract"],
      ["gateway", 18789, "gateway"],
    ]);
    expect(buildService(spec(), { ...options, serviceType: "NodePort" }, UID).spec?.type).toBe("NodePort");
    expect(buildService(spec(), { ...options, serviceType: "LoadBalancer" }, UID).spec?.type).toBe(
      "LoadBalancer",
    );
  });

  it("gives endpoints by cluster DNS, node port or load balancer address", () => {
    const service = buildService(spec(), options, UID) as V1Service;
    expect(serviceEndpoints(service, {})).toEqual({
      runtimeUrl: `http://nora-agent-${AGENT}.nora-agents.svc.cluster.local:9090`,
      gatewayUrl: `http://nora-agent-${AGENT}.nora-agents.svc.cluster.local:18789`,
      dashboardUrl: null,
    });
    const nodePort: V1Service = {
      ...service,
      spec: {
        ...service.spec,
        type: "NodePort",
        ports: [
          { name: "contract", port: 9090, nodePort: 30090 },
          { name: "gateway", port: 18789, nodePort: 31789 },
        ],
      },
    };
    expect(serviceEndpoints(nodePort, { nodeAddress: "fd00::5" })).toEqual({
      runtimeUrl: "http://[fd00::5]:30090",
      gatewayUrl: "http://[fd00::5]:31789",
      dashboardUrl: null,
    });
    const lb: V1Service = {
      ...service,
      spec: { ...service.spec, type: "LoadBalancer" },
      status: { loadBalancer: { ingress: [{ ip: "203.0.113.9" }] } },
    };
    expect(serviceEndpoints(lb, {})?.runtimeUrl).toBe("http://203.0.113.9:9090");
    const pendingLb: V1Service = { ...lb, status: {} };
    expect(serviceEndpoints(pendingLb, {})?.runtimeUrl).toContain(".svc.cluster.local:9090");
  });
});

describe("a family with a dashboard port (Hermes)", () => {
  const hermes = spec({ family: "hermes", ports: { contract: 9090, gateway: 8642, dashboard: 9119 } });
  const host = `nora-agent-${AGENT}.nora-agents.svc.cluster.local`;

  it("names the dashboard as a third container port, and labels it, the probes unchanged", () => {
    const deployment = buildDeployment(hermes, options, UID);
    const container = deployment.spec?.template.spec?.containers[0];
    expect(container?.ports).toEqual([
      { name: "contract", containerPort: 9090, protocol: "TCP" },
      { name: "gateway", containerPort: 8642, protocol: "TCP" },
      { name: "dashboard", containerPort: 9119, protocol: "TCP" },
    ]);
    expect(deployment.metadata?.labels).toMatchObject({
      "nora.port.gateway": "8642",
      "nora.port.dashboard": "9119",
    });
    for (const probe of [container?.startupProbe, container?.readinessProbe, container?.livenessProbe]) {
      expect(probe?.httpGet).toEqual({ path: "/health", port: "contract", scheme: "HTTP" });
    }
    expect(buildDeployment(spec(), options, UID).metadata?.labels?.["nora.port.dashboard"]).toBeUndefined();
  });

  it("serves it on the Service whatever its type, and admits the control plane to it", () => {
    for (const serviceType of ["ClusterIP", "NodePort", "LoadBalancer"] as const) {
      const service = buildService(hermes, { ...options, serviceType }, UID);
      expect(service.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).toEqual([
        ["contract", 9090, "contract"],
        ["gateway", 8642, "gateway"],
        ["dashboard", 9119, "dashboard"],
      ]);
    }
    expect(buildNetworkPolicy(hermes, options, UID).spec?.ingress?.[0]?.ports).toEqual([
      { protocol: "TCP", port: 9090 },
      { protocol: "TCP", port: 8642 },
      { protocol: "TCP", port: 9119 },
    ]);
  });

  it("gives dashboardUrl by cluster DNS, node port or load balancer address", () => {
    const service = buildService(hermes, options, UID) as V1Service;
    expect(serviceEndpoints(service, {})).toEqual({
      runtimeUrl: `http://${host}:9090`,
      gatewayUrl: `http://${host}:8642`,
      dashboardUrl: `http://${host}:9119`,
    });
    const nodePort: V1Service = {
      ...service,
      spec: {
        ...service.spec,
        type: "NodePort",
        ports: [
          { name: "contract", port: 9090, nodePort: 30090 },
          { name: "gateway", port: 8642, nodePort: 30642 },
          { name: "dashboard", port: 9119, nodePort: 30119 },
        ],
      },
    };
    expect(serviceEndpoints(nodePort, { nodeAddress: "fd00::5" })?.dashboardUrl).toBe(
      "http://[fd00::5]:30119",
    );
    const lb: V1Service = {
      ...service,
      spec: { ...service.spec, type: "LoadBalancer" },
      status: { loadBalancer: { ingress: [{ ip: "2001:db8::9" }] } },
    };
    expect(serviceEndpoints(lb, {})).toEqual({
      runtimeUrl: "http://[2001:db8::9]:9090",
      gatewayUrl: "http://[2001:db8::9]:8642",
      dashboardUrl: "http://[2001:db8::9]:9119",
    });
  });
});

describe("the NetworkPolicy", () => {
  const policy = (overrides: Partial<RuntimeSpec>, opts = options) =>
    buildNetworkPolicy(spec(overrides), opts, UID) as V1NetworkPolicy;

  it("admits only the control plane's namespace and CIDRs, to the two ports", () => {
    const p = policy({});
    expect(p.spec?.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(p.spec?.podSelector?.matchLabels).toEqual({
      "nora.installation": "inst-1",
      "nora.agent.id": AGENT,
      "nora.role": "runtime",
    });
    expect(p.spec?.ingress).toEqual([
      {
        _from: [
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "nora-system" } } },
          { ipBlock: { cidr: "10.20.0.0/16" } },
        ],
        ports: [
          { protocol: "TCP", port: 9090 },
          { protocol: "TCP", port: 18789 },
        ],
      },
    ]);
  });

  it("standard: DNS over UDP and TCP, 443 anywhere, plus the allowlist", () => {
    expect(policy({}).spec?.egress).toEqual([
      {
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
      {
        to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }],
        ports: [{ protocol: "TCP", port: 443 }],
      },
      { to: [{ ipBlock: { cidr: "192.0.2.0/24" } }], ports: [{ protocol: "TCP", port: 5432 }] },
    ]);
  });

  it("nemoclaw: only the allowlist, and no egress at all without one", () => {
    expect(policy({ profile: "nemoclaw" }).spec?.egress).toEqual([
      { to: [{ ipBlock: { cidr: "198.51.100.7/32" } }], ports: [{ protocol: "TCP", port: 443 }] },
    ]);
    expect(policy({ profile: "nemoclaw" }, { ...options, egressAllowlist: {} }).spec?.egress).toEqual([]);
  });
});
