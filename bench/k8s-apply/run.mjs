// bench/k8s-apply: what applying and deleting one agent's object set costs on a real Kubernetes API
// server (infra/test-cluster: kube-apiserver + kube-controller-manager over etcd, 127.0.0.1 only),
// in API requests and wall time, beside a floor measured in the same run against the same server: the
// same seven manifests sent as seven server-side applies at once by a bare client (what
// `kubectl apply --server-side` of a prepared file does), and deleted by seven DELETEs, polled until
// gone. Then BENCH_FLEET (20) agents at concurrency BENCH_CONCURRENCY (6) through Nora's backend.
// Needs a build (`npx turbo run build --filter=@nora/backends`) and Go for the first cluster build.
import { randomBytes } from "node:crypto";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const FLEET = Number(process.env.BENCH_FLEET ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 6);

const backends = "../../packages/backends/dist";
const k8s = await import("@kubernetes/client-node");
const { createKubernetesBackend } = await import(`${backends}/kubernetes.js`);
const manifests = await import(`${backends}/kubernetes-manifests.js`);
const { startTestCluster } = await import(`${backends}/testing-cluster.js`);
const { createLogger } = await import("../../packages/core/dist/index.js");

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => `${value.toFixed(0)} ms`;
const RUN = `b${randomBytes(3).toString("hex")}`;
const NAMESPACE = `nora-bench-${RUN}`;
const INSTALLATION = `bench-${RUN}`;

/** A KubeConfig whose every API request (generated clients and streams alike) is counted. */
function countingKubeConfig(path) {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path);
  const counter = { requests: 0 };
  const authenticate = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context) => {
    counter.requests += 1;
    return authenticate(context);
  };
  return { kc, counter };
}

let serial = 0;
function spec() {
  serial += 1;
  const agentId = `${RUN}-${serial}`;
  return {
    agentId,
    workspaceId: `${RUN}-ws`,
    revisionId: `${RUN}-rev`,
    deploymentId: `${RUN}-dep-${serial}`,
    family: "openclaw",
    profile: "standard",
    image: "nora-runtime-openclaw:bench",
    resources: { vcpu: 0.5, memoryMb: 2048, diskGb: 2 },
    env: { NORA_AGENT_ID: agentId, NORA_RUNTIME_FAMILY: "openclaw" },
    files: [
      { path: "openclaw/openclaw.json", content: '{"gateway":{}}\n', mode: 0o644 },
      { path: "template/AGENTS.md", content: "# Agent\n", mode: 0o644 },
    ],
    secretFiles: [{ path: "runtime-token", content: randomBytes(32).toString("hex"), mode: 0o600 }],
    ports: { contract: 9090, gateway: 18789, dashboard: null },
    hostPorts: null,
    subnet: null,
  };
}

const manifestOptions = {
  namespace: NAMESPACE,
  installationId: INSTALLATION,
  controlPlane: { namespace: "nora" },
  // No scheduler or kubelet should spend the machine on benchmark pods: they stay Pending.
  schedulerName: "nora-bench-no-scheduler",
};

const cluster = await startTestCluster();
try {
  const { kc, counter } = countingKubeConfig(cluster.kubeconfigPath);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  const backend = createKubernetesBackend({
    kubeConfig: kc,
    logger: createLogger({ service: "bench-k8s-apply", level: "silent" }),
    removeTimeoutMs: 120_000,
    ...manifestOptions,
  });
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);

  /** The floor: the same seven objects (owned by nothing), seven applies at once. */
  async function floorApply(s) {
    const set = manifests.buildAgentObjects(s, manifestOptions, "00000000-0000-0000-0000-000000000000");
    const all = [manifests.buildAnchor(s, manifestOptions), ...set].map((object) => {
      const { ownerReferences: _dropped, ...metadata } = object.metadata;
      return { ...object, metadata };
    });
    await Promise.all(
      all.map((object) =>
        objects.patch(object, undefined, undefined, "bench", true, k8s.PatchStrategy.ServerSideApply),
      ),
    );
    return all;
  }
  async function floorDelete(all) {
    await Promise.all(all.map((object) => objects.delete(object, undefined, undefined, 0)));
    for (;;) {
      const left = await Promise.all(
        all.map((object) =>
          objects.read(object).then(
            () => 1,
            () => 0,
          ),
        ),
      );
      if (left.every((n) => n === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // One warm-up each: discovery, TLS session, etcd's first writes.
  const warm = spec();
  await backend.create(warm);
  await backend.remove(warm.agentId);
  await floorDelete(await floorApply(spec()));

  const rows = { noraApply: [], noraDelete: [], floorApply: [], floorDelete: [] };
  const requests = { apply: [], reapply: [], delete: [], floorApply: [], floorDelete: [] };
  for (let run = 0; run < RUNS; run++) {
    const s = spec();
    let mark = counter.requests;
    let started = performance.now();
    await backend.create(s);
    rows.noraApply.push(performance.now() - started);
    requests.apply.push(counter.requests - mark);
    mark = counter.requests;
    await backend.create(s);
    requests.reapply.push(counter.requests - mark);
    mark = counter.requests;
    started = performance.now();
    await backend.remove(s.agentId);
    rows.noraDelete.push(performance.now() - started);
    requests.delete.push(counter.requests - mark);

    const f = spec();
    mark = counter.requests;
    started = performance.now();
    const all = await floorApply(f);
    rows.floorApply.push(performance.now() - started);
    requests.floorApply.push(counter.requests - mark);
    mark = counter.requests;
    started = performance.now();
    await floorDelete(all);
    rows.floorDelete.push(performance.now() - started);
    requests.floorDelete.push(counter.requests - mark);
  }

  const fleet = Array.from({ length: FLEET }, spec);
  async function pooled(items, fn) {
    const queue = [...items];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let item = queue.shift(); item; item = queue.shift()) await fn(item);
      }),
    );
  }
  let mark = counter.requests;
  let started = performance.now();
  await pooled(fleet, (s) => backend.create(s));
  const fleetApplyMs = performance.now() - started;
  const fleetApplyRequests = counter.requests - mark;
  mark = counter.requests;
  started = performance.now();
  await pooled(fleet, (s) => backend.remove(s.agentId));
  const fleetDeleteMs = performance.now() - started;
  const fleetDeleteRequests = counter.requests - mark;

  const line = (name, nora, floor, noraReq, floorReq) =>
    console.log(
      `${name.padEnd(8)} Nora ${ms(median(nora)).padStart(7)} (${median(noraReq)} requests)   floor ${ms(median(floor)).padStart(7)} (${median(floorReq)} requests)   ratio ${(median(nora) / median(floor)).toFixed(2)}`,
    );
  const version = await kc.makeApiClient(k8s.VersionApi).getCode();
  console.log(
    `\nbench/k8s-apply: ${RUNS} runs, median, against ${cluster.server} (kube-apiserver ${version.gitVersion})`,
  );
  line("apply", rows.noraApply, rows.floorApply, requests.apply, requests.floorApply);
  line("delete", rows.noraDelete, rows.floorDelete, requests.delete, requests.floorDelete);
  console.log(`re-apply of an unchanged set: ${median(requests.reapply)} requests (one apply per object)`);
  console.log(
    `fleet    ${FLEET} agents at concurrency ${CONCURRENCY}: apply ${ms(fleetApplyMs)} (${(fleetApplyRequests / FLEET).toFixed(1)} requests/agent), delete ${ms(fleetDeleteMs)} (${(fleetDeleteRequests / FLEET).toFixed(1)} requests/agent, waiting included)`,
  );
  await core.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
} finally {
  await cluster.stop();
}
