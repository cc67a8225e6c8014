import { createAgentBody, templateFiles, templatePath } from "@nora/api-contract";
import { AppError } from "@nora/core";
import { testConfig } from "@nora/core/testing";
import { describe, expect, it } from "vitest";
import { checkResources, resolveAgentBackend, templateHashes } from "./spec.js";

const config = testConfig({ AGENT_MAX_VCPU: "4", AGENT_MAX_MEMORY_MB: "8192", AGENT_MAX_DISK_GB: "50" });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof AppError ? `${error.status} ${error.code}` : String(error);
  }
};

describe("agent spec rules", () => {
  it("resolves through the catalog and refuses release-blocked targets", () => {
    expect(resolveAgentBackend(config, {}).id).toBe("openclaw/docker/standard");
    expect(codeOf(() => resolveAgentBackend(config, { target: "proxmox" }))).toBe(
      "400 target_release_blocked",
    );
    // k8s is a GA target: whether a cluster can take the agent is decided at deploy (clusterForDeploy).
    expect(resolveAgentBackend(config, { target: "k3s" }).id).toBe("openclaw/k8s/standard");
    expect(codeOf(() => resolveAgentBackend(config, { family: "hermes", profile: "nemoclaw" }))).toBe(
      "400 profile_not_supported",
    );
    const nemo = testConfig({ ENABLED_SANDBOX_PROFILES: "standard,nemoclaw" });
    expect(resolveAgentBackend(nemo, { profile: "nemoclaw" }).maturity).toBe("experimental");
  });

  it("applies the family floor and the configured maxima", () => {
    const ok = { vcpu: 4, memoryMb: 8192, diskGb: 50 };
    expect(codeOf(() => checkResources(config, "openclaw", ok))).toBeNull();
    expect(codeOf(() => checkResources(config, "openclaw", { ...ok, memoryMb: 2047 }))).toBe(
      "400 memory_below_minimum",
    );
    expect(codeOf(() => checkResources(config, "hermes", { ...ok, memoryMb: 512 }))).toBeNull();
    expect(codeOf(() => checkResources(config, "openclaw", { ...ok, vcpu: 4.01 }))).toBe(
      "400 over_platform_maximum",
    );
    expect(codeOf(() => checkResources(config, "openclaw", { ...ok, diskGb: 51 }))).toBe(
      "400 over_platform_maximum",
    );
  });

  it("hashes template files by path, in order", () => {
    expect(templateHashes({ b: "", a: "abc" })).toEqual({
      a: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      b: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    });
  });

  it("accepts only safe relative template paths, bounded in count and size", () => {
    for (const bad of ["../etc/passwd", "/abs", "a/../b", "./a", ".hidden", "a//b", "a\\b", "a/", ""]) {
      expect(templatePath.safeParse(bad).success, bad).toBe(false);
    }
    for (const good of ["AGENTS.md", "skills/notes.md", "a/b.c/d_e-f"]) {
      expect(templatePath.safeParse(good).success, good).toBe(true);
    }
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}.md`, "x"]));
    expect(templateFiles.safeParse(many).success).toBe(false);
    expect(templateFiles.safeParse({ "big.md": "x".repeat(256 * 1024 + 1) }).success).toBe(false);
    const total = Object.fromEntries(
      Array.from({ length: 3 }, (_, i) => [`f${i}.md`, "x".repeat(200 * 1024)]),
    );
    expect(templateFiles.safeParse(total).success).toBe(false);
    expect(createAgentBody.safeParse({ name: "a", secrets: { NORA_TOKEN: "x" } }).success).toBe(false);
    expect(createAgentBody.safeParse({ name: "a", image: "UPPER/Case" }).success).toBe(false);
  });
});
