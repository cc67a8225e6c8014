import { AGENT_STATUSES, DEPLOYMENT_ACTIONS } from "@nora/api-contract";
import { describe, expect, it } from "vitest";
import { AGENT_TRANSITIONS, canTransition, REQUESTED_STATUS, statusesLeadingTo } from "./status.js";

describe("the agent state machine", () => {
  it("lists every status, and only known statuses", () => {
    expect(Object.keys(AGENT_TRANSITIONS).sort()).toEqual([...AGENT_STATUSES].sort());
    for (const targets of Object.values(AGENT_TRANSITIONS)) {
      for (const to of targets) expect(AGENT_STATUSES).toContain(to);
    }
  });

  it("follows the provisioning path of the issue", () => {
    expect(canTransition("queued", "provisioning")).toBe(true);
    expect(canTransition("provisioning", "starting")).toBe(true);
    expect(canTransition("starting", "running")).toBe(true);
    expect(canTransition("starting", "warning")).toBe(true);
    expect(canTransition("starting", "failed")).toBe(true);
    expect(canTransition("stopping", "stopped")).toBe(true);
  });

  it("refuses what makes no sense", () => {
    expect(canTransition("deleting", "running")).toBe(false);
    expect(canTransition("deleting", "queued")).toBe(false);
    expect(canTransition("stopped", "running")).toBe(false);
    expect(canTransition("queued", "running")).toBe(false);
    expect(canTransition("running", "stopped")).toBe(false);
  });

  it("lets a job start from any settled status, as an older job may have finished after the request", () => {
    for (const from of ["running", "warning", "stopped", "stopping", "failed", "error"] as const) {
      expect(canTransition(from, "provisioning"), from).toBe(true);
      expect(canTransition(from, "starting"), from).toBe(true);
    }
  });

  it("lets a retried job repeat its step", () => {
    expect(canTransition("provisioning", "provisioning")).toBe(true);
    expect(canTransition("starting", "starting")).toBe(true);
    expect(canTransition("starting", "provisioning")).toBe(true);
  });

  it("has a requested status for every action, reachable from a running agent except when deleting", () => {
    for (const action of DEPLOYMENT_ACTIONS) {
      expect(statusesLeadingTo(REQUESTED_STATUS[action])).toContain("running");
    }
    expect(statusesLeadingTo("queued")).not.toContain("deleting");
  });
});
