import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Pod, VersionApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BUILD_SCRIPT,
  startTestCluster,
  type TestCluster,
  testClusterBinary,
  testClusterPrerequisite,
} from "../src/testing-cluster.js";

// Against the real test cluster (infra/test-cluster): kube-apiserver, kube-controller-manager,
// kube-scheduler and KWOK, all on 127.0.0.1. KWOK plays the kubelet of one fake node: Pods bound to
// it become Running and Ready from KWOK's default stages; their probes are not executed.

const prerequisite = await testClusterPrerequisite({ required: process.env.NORA_CI === "1" });

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

const condition = (pod: V1Pod, type: string) => pod.status?.conditions?.find((c) => c.type === type);

describe.skipIf(prerequisite.skip)(
  `test cluster: apiserver, controllers, scheduler, KWOK${prerequisite.note}`,
  () => {
    let cluster: TestCluster;
    let core: CoreV1Api;
    let apps: AppsV1Api;
    let kc: KubeConfig;
    const namespace = `nora-tc-${randomBytes(3).toString("hex")}`;

    beforeAll(async () => {
      cluster = await startTestCluster();
      kc = new KubeConfig();
      kc.loadFromFile(cluster.kubeconfigPath);
      core = kc.makeApiClient(CoreV1Api);
      apps = kc.makeApiClient(AppsV1Api);
      await core.createNamespace({ body: { metadata: { name: namespace } } });
    });

    afterAll(async () => {
      await cluster?.stop();
    });

    it("runs the scheduler and KWOK with a Ready fake node, and reports v1.37.2", async () => {
      expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect({ scheduler: cluster.scheduler, kwok: cluster.kwok, nodeName: cluster.nodeName }).toEqual({
        scheduler: true,
        kwok: true,
        nodeName: "kwok-node-0",
      });
      const version = await kc.makeApiClient(VersionApi).getCode();
      expect(version).toMatchObject({ gitVersion: "v1.37.2", major: "1", minor: "37" });

      const node = await core.readNode({ name: "kwok-node-0" });
      expect(node.metadata?.annotations?.["kwok.x-k8s.io/node"]).toBe("fake");
      expect(node.metadata?.labels?.type).toBe("kwok");
      expect(node.status?.allocatable).toMatchObject({ cpu: "8", memory: "32Gi", pods: "110" });
      expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    });

    it("schedules a Deployment's Pod onto the fake node, where KWOK makes it Running and Ready", async () => {
      const labels = { app: "web" };
      await apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name: "web" },
          spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name: "web",
                    image: "nora.invalid/never-pulled:1",
                    resources: {
                      requests: { cpu: "500m", memory: "256Mi" },
                      limits: { cpu: "1", memory: "512Mi" },
                    },
                  },
                ],
              },
            },
          },
        },
      });

      const pod = await waitFor("the Deployment's Pod to be Ready", async () => {
        const pods = await core.listNamespacedPod({ namespace, labelSelector: "app=web" });
        return pods.items.find((p) => condition(p, "Ready")?.status === "True");
      });
      // Bound by kube-scheduler (PodScheduled comes from the scheduler's binding), run by KWOK.
      expect(pod.spec?.nodeName).toBe("kwok-node-0");
      expect(condition(pod, "PodScheduled")?.status).toBe("True");
      expect(pod.status?.phase).toBe("Running");
      expect(pod.status?.containerStatuses?.[0]).toMatchObject({ name: "web", ready: true });
      expect(pod.status?.podIP).toMatch(/^10\.244\.0\.\d+$/);

      // The controller manager sees the Pod Ready and marks the Deployment available.
      const deployment = await waitFor("the Deployment to be available", async () => {
        const d = await apps.readNamespacedDeployment({ namespace, name: "web" });
        return d.status?.availableReplicas === 1 ? d : undefined;
      });
      expect(deployment.status?.conditions?.find((c) => c.type === "Available")?.status).toBe("True");
    });

    it("leaves a Pod asking for more CPU than the node has Pending: PodScheduled=False, Unschedulable", async () => {
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: "too-big" },
          spec: {
            containers: [
              { name: "c", image: "nora.invalid/never-pulled:1", resources: { requests: { cpu: "100" } } },
            ],
          },
        },
      });
      const pod = await waitFor("the scheduler to give up on the Pod", async () => {
        const p = await core.readNamespacedPod({ namespace, name: "too-big" });
        return condition(p, "PodScheduled")?.status === "False" ? p : undefined;
      });
      expect(condition(pod, "PodScheduled")).toMatchObject({ status: "False", reason: "Unschedulable" });
      expect(condition(pod, "PodScheduled")?.message).toContain("Insufficient cpu");
      expect(pod.spec?.nodeName).toBeUndefined();
      expect(pod.status?.phase).toBe("Pending");
    });

    it("build.sh waits for another caller holding its lock instead of building beside it", async () => {
      const cacheRoot = process.env.NORA_TEST_CLUSTER_CACHE || "/var/tmp/nora-test-cluster";
      const holder = spawn("flock", [join(cacheRoot, ".lock"), "-c", "echo locked; sleep 2"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const exited = new Promise((done) => holder.once("exit", done));
      await new Promise<void>((locked) => holder.stdout?.once("data", () => locked()));
      const started = Date.now();
      const { stdout, stderr } = await promisify(execFile)(BUILD_SCRIPT, []);
      const waited = Date.now() - started;
      await exited;
      expect(stderr).toContain("another build holds");
      expect(waited).toBeGreaterThanOrEqual(1500);
      expect(stdout.trim().split("\n").pop()).toBe(await testClusterBinary());
    });
  },
);
