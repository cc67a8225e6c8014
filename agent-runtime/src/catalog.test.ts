import { describe, expect, it } from "vitest";
import {
  type CatalogErrorCode,
  DEFAULT_ENABLED,
  DEPLOY_TARGETS,
  type EnabledSet,
  listCatalog,
  parseEnabledSettings,
  RUNTIME_FAMILIES,
  resolveBackend,
  SANDBOX_PROFILES,
} from "./catalog.js";

const ALL_ENABLED: EnabledSet = {
  families: ["openclaw", "hermes"],
  targets: ["docker", "k8s", "proxmox"],
  profiles: ["standard", "nemoclaw"],
};

/** The documented outcome of every combination with everything enabled: maturity or error. */
const EXPECTED: Record<string, string> = {
  "openclaw/docker/standard": "ga",
  "openclaw/docker/nemoclaw": "experimental",
  "openclaw/k8s/standard": "ga",
  "openclaw/k8s/nemoclaw": "experimental",
  "openclaw/proxmox/standard": "target_release_blocked",
  "openclaw/proxmox/nemoclaw": "target_release_blocked",
  "hermes/docker/standard": "ga",
  "hermes/docker/nemoclaw": "profile_not_supported",
  "hermes/k8s/standard": "ga",
  "hermes/k8s/nemoclaw": "profile_not_supported",
  "hermes/proxmox/standard": "target_release_blocked",
  "hermes/proxmox/nemoclaw": "target_release_blocked",
};

describe("resolveBackend", () => {
  it("resolves every family × target × profile to its documented outcome", () => {
    const seen: string[] = [];
    for (const family of RUNTIME_FAMILIES) {
      for (const target of DEPLOY_TARGETS) {
        for (const profile of SANDBOX_PROFILES) {
          const id = `${family}/${target}/${profile}`;
          seen.push(id);
          const result = resolveBackend({ family, target, profile }, ALL_ENABLED);
          const outcome = result.ok ? result.backend.maturity : result.error.code;
          expect(outcome, id).toBe(EXPECTED[id]);
          if (result.ok) expect(result.backend.id).toBe(id);
        }
      }
    }
    expect(seen.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it("defaults missing values to openclaw on docker, standard", () => {
    const result = resolveBackend({});
    expect(result).toEqual({
      ok: true,
      backend: {
        id: "openclaw/docker/standard",
        family: "openclaw",
        target: "docker",
        profile: "standard",
        maturity: "ga",
      },
    });
  });

  it("accepts k3s as an alias of k8s", () => {
    const result = resolveBackend({ family: "hermes", target: "k3s" });
    expect(result.ok && result.backend.target).toBe("k8s");
  });

  it.each<[Record<string, string>, CatalogErrorCode]>([
    [{ family: "openclaw2" }, "unknown_runtime_family"],
    [{ family: "" }, "unknown_runtime_family"],
    [{ family: "OpenClaw" }, "unknown_runtime_family"],
    [{ target: "nomad" }, "unknown_deploy_target"],
    [{ target: "" }, "unknown_deploy_target"],
    [{ profile: "paranoid" }, "unknown_sandbox_profile"],
  ])("refuses unknown values: %j → %s", (request, code) => {
    const result = resolveBackend(request);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message).toMatch(/unknown/);
    }
  });

  it("refuses what the installation disabled, with typed errors", () => {
    const enabled: EnabledSet = { families: ["openclaw"], targets: ["k8s"], profiles: ["standard"] };
    const codes = [
      resolveBackend({ family: "hermes", target: "k8s" }, enabled),
      resolveBackend({ target: "docker" }, enabled),
      resolveBackend({ target: "k8s", profile: "nemoclaw" }, enabled),
    ].map((r) => (r.ok ? "ok" : r.error.code));
    expect(codes).toEqual(["runtime_family_disabled", "target_disabled", "profile_disabled"]);
  });

  it("keeps nemoclaw off by default and proxmox blocked even when enabled", () => {
    expect(resolveBackend({ profile: "nemoclaw" })).toMatchObject({
      ok: false,
      error: { code: "profile_disabled" },
    });
    expect(resolveBackend({ target: "proxmox" }, ALL_ENABLED)).toMatchObject({
      ok: false,
      error: { code: "target_release_blocked" },
    });
  });
});

describe("listCatalog", () => {
  it("lists all twelve combinations with availability under the default settings", () => {
    const entries = listCatalog();
    expect(entries).toHaveLength(12);
    expect(entries.filter((e) => e.available).map((e) => e.id)).toEqual([
      "openclaw/docker/standard",
      "openclaw/k8s/standard",
      "hermes/docker/standard",
      "hermes/k8s/standard",
    ]);
    expect(entries.find((e) => e.id === "hermes/docker/nemoclaw")).toMatchObject({
      maturity: null,
      reason: "profile_not_supported",
    });
  });
});

describe("parseEnabledSettings", () => {
  it("defaults unset variables", () => {
    expect(parseEnabledSettings({})).toEqual({ ok: true, enabled: DEFAULT_ENABLED });
  });

  it("parses comma lists with spaces and aliases", () => {
    expect(
      parseEnabledSettings({
        ENABLED_RUNTIME_FAMILIES: "openclaw",
        ENABLED_BACKENDS: " docker , k3s ",
        ENABLED_SANDBOX_PROFILES: "standard,nemoclaw",
      }),
    ).toEqual({
      ok: true,
      enabled: { families: ["openclaw"], targets: ["docker", "k8s"], profiles: ["standard", "nemoclaw"] },
    });
  });

  it("refuses unknown names instead of ignoring them", () => {
    expect(parseEnabledSettings({ ENABLED_BACKENDS: "docker,dokcer" })).toMatchObject({
      ok: false,
      error: { code: "unknown_deploy_target", value: "dokcer" },
    });
    expect(parseEnabledSettings({ ENABLED_RUNTIME_FAMILIES: "x" })).toMatchObject({
      ok: false,
      error: { code: "unknown_runtime_family" },
    });
    expect(parseEnabledSettings({ ENABLED_SANDBOX_PROFILES: "y" })).toMatchObject({
      ok: false,
      error: { code: "unknown_sandbox_profile" },
    });
  });

  it("reads deploy targets from ENABLED_DEPLOY_TARGETS first, naming the variable it read", () => {
    expect(parseEnabledSettings({ ENABLED_DEPLOY_TARGETS: "k8s", ENABLED_BACKENDS: "docker" })).toMatchObject(
      {
        ok: true,
        enabled: { targets: ["k8s"] },
      },
    );
    expect(parseEnabledSettings({ ENABLED_DEPLOY_TARGETS: "dokcer" })).toMatchObject({
      ok: false,
      error: { message: 'ENABLED_DEPLOY_TARGETS: unknown "dokcer"' },
    });
    expect(parseEnabledSettings({ ENABLED_BACKENDS: "dokcer" })).toMatchObject({
      ok: false,
      error: { message: 'ENABLED_BACKENDS: unknown "dokcer"' },
    });
  });
});
