import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { isBackendError } from "./errors.js";
import { driftOf, execRefusal, exitCodeOf, podTransitions, toBackendError } from "./kubernetes.js";

// The mapping of what the API server answers (Status bodies as kube-apiserver writes them) and of
// pod status transitions to runtime events. The same paths run against the real server in
// test/kubernetes.k8s.test.ts.

const status = (code: number, body: Record<string, unknown>) =>
  new ApiException(
    code,
    "Unsuccessful HTTP Request",
    { kind: "Status", apiVersion: "v1", status: "Failure", code, ...body },
    {},
  );

describe("toBackendError", () => {
  it("403 names the verb and resource Nora's Role lacks", () => {
    const error = toBackendError(
      status(403, {
        reason: "Forbidden",
        message:
          'deployments.apps "nora-agent-a1" is forbidden: User "system:serviceaccount:nora:nora" cannot patch resource "deployments" in API group "apps" in the namespace "agents"',
      }),
      "apply the objects of agent a1",
    );
    expect(isBackendError(error, "forbidden")).toBe(true);
    expect(error.message).toContain('cannot patch resource "deployments" in API group "apps"');
    expect(error.message).toContain("Nora's Role lacks this verb");
  });

  it("422 is invalid_spec with the server's words", () => {
    const error = toBackendError(
      status(422, {
        reason: "Invalid",
        message: 'Deployment.apps "x" is invalid: spec.template.spec.containers[0].image: Required value',
      }),
      "apply",
    );
    expect(isBackendError(error, "invalid_spec")).toBe(true);
    expect(error.message).toContain("containers[0].image: Required value");
  });

  it("a refused connection is backend_unavailable", () => {
    const refused = Object.assign(new Error("request to https://127.0.0.1:1/api failed"), {
      code: "ECONNREFUSED",
    });
    expect(isBackendError(toBackendError(refused, "inspect"), "backend_unavailable")).toBe(true);
    const nested = Object.assign(new Error("fetch failed"), { cause: { code: "ECONNRESET" } });
    expect(isBackendError(toBackendError(nested, "inspect"), "backend_unavailable")).toBe(true);
  });
});

describe("driftOf", () => {
  it("reads the conflicting fields and managers from a 409's causes", () => {
    const conflict = status(409, {
      reason: "Conflict",
      message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
      details: {
        causes: [
          {
            reason: "FieldManagerConflict",
            message: 'conflict with "kubectl-edit" using apps/v1',
            field: '.spec.template.spec.containers[name="runtime"].resources.limits.memory',
          },
        ],
      },
    });
    expect(
      driftOf(conflict, {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d", namespace: "n" },
      }),
    ).toEqual({
      object: "Deployment n/d",
      fields: ['.spec.template.spec.containers[name="runtime"].resources.limits.memory'],
      managers: ["kubectl-edit"],
    });
    expect(driftOf(status(409, { reason: "AlreadyExists" }), { kind: "x" })).toBeNull();
  });
});

describe("execRefusal", () => {
  it("maps the WebSocket upgrade's refusal", () => {
    const refusal = (status: number) => ({ type: "error", message: `Unexpected server response: ${status}` });
    expect(execRefusal("a1", refusal(400)).code).toBe("runtime_not_found");
    const forbidden = execRefusal("a1", refusal(403));
    expect(forbidden.code).toBe("forbidden");
    expect(forbidden.message).toContain('"pods/exec"');
    expect(execRefusal("a1", refusal(500)).code).toBe("backend_error");
  });
});

describe("exitCodeOf", () => {
  it("reads the exec's final status", () => {
    expect(exitCodeOf({ status: "Success" })).toBe(0);
    expect(
      exitCodeOf({
        status: "Failure",
        reason: "NonZeroExitCode",
        details: { causes: [{ reason: "ExitCode", message: "3" }] },
      }),
    ).toBe(3);
    expect(exitCodeOf(undefined)).toBe(-1);
  });
});

describe("podTransitions", () => {
  const pod = (containerStatus: Record<string, unknown>) => ({
    metadata: { uid: "u1", labels: { "nora.agent.id": "a1" } },
    status: { containerStatuses: [{ name: "runtime", ...containerStatus }] },
  });

  it("a start, then an OOM kill, then the restart", () => {
    const first = podTransitions(
      pod({ state: { running: { startedAt: "2026-12-01T10:00:00Z" } } }),
      undefined,
    );
    expect(first.events.map((e) => e.type)).toEqual(["start"]);
    const again = podTransitions(
      pod({ state: { running: { startedAt: "2026-12-01T10:00:00Z" } } }),
      first.now,
    );
    expect(again.events).toEqual([]);
    const killed = podTransitions(
      pod({
        state: { waiting: { reason: "CrashLoopBackOff" } },
        lastState: { terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: "2026-12-01T10:01:00Z" } },
      }),
      again.now,
    );
    expect(killed.events).toEqual([
      { agentId: "a1", type: "oom", exitCode: 137 },
      { agentId: "a1", type: "die", exitCode: 137 },
    ]);
    const restarted = podTransitions(
      pod({
        state: { running: { startedAt: "2026-12-01T10:01:10Z" } },
        lastState: { terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: "2026-12-01T10:01:00Z" } },
      }),
      killed.now,
    );
    expect(restarted.events.map((e) => e.type)).toEqual(["start"]);
  });
});
