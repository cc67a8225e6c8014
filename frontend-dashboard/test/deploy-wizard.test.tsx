import { parse } from "node-html-parser";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { RuntimeCatalog } from "../src/deploy/catalog";
import { ProfileStep, RuntimeStep, TargetStep } from "../src/deploy/wizard-choice-steps";
import {
  checkDeployBody,
  type Draft,
  deployBody,
  firstIncompleteStep,
  initialDraft,
  profileUnavailable,
  stepErrors,
  stepOfIssuePath,
  targetUnavailable,
} from "../src/deploy/wizard-steps";

const render = (element: React.ReactElement) => parse(renderToStaticMarkup(element));
const ok = { available: true, reason: null };

/** A catalog as the API answers it: docker GA, k8s without a cluster, proxmox release-blocked. */
const CATALOG: RuntimeCatalog = {
  families: [
    { name: "openclaw", maturity: "ga", features: [], webUi: "gateway", minContextTokens: null, ...ok },
    { name: "hermes", maturity: "beta", features: [], webUi: "dashboard", minContextTokens: null, ...ok },
  ],
  targets: [
    { name: "docker", maturity: "ga", ...ok },
    { name: "k8s", maturity: "ga", available: false, reason: "No usable Kubernetes cluster is registered" },
    { name: "proxmox", maturity: "blocked", available: false, reason: "Proxmox is release-blocked" },
  ],
  profiles: [
    { name: "standard", maturity: "ga", ...ok },
    { name: "nemoclaw", maturity: "experimental", ...ok },
  ],
  combinations: [
    {
      id: "openclaw/docker/standard",
      family: "openclaw",
      target: "docker",
      profile: "standard",
      maturity: null,
      ...ok,
    },
    {
      id: "openclaw/docker/nemoclaw",
      family: "openclaw",
      target: "docker",
      profile: "nemoclaw",
      maturity: "experimental",
      ...ok,
    },
    {
      id: "hermes/docker/nemoclaw",
      family: "hermes",
      target: "docker",
      profile: "nemoclaw",
      maturity: null,
      available: false,
      reason: "Hermes has no hardened profile yet",
    },
    {
      id: "hermes/docker/standard",
      family: "hermes",
      target: "docker",
      profile: "standard",
      maturity: null,
      ...ok,
    },
  ],
};

const draft = (patch: Partial<Draft> = {}): Draft => ({ ...initialDraft(CATALOG), name: "scout", ...patch });

describe("the deploy wizard's rules", () => {
  it("starts on the first available option of each kind", () => {
    expect(initialDraft(CATALOG)).toMatchObject({
      family: "openclaw",
      target: "docker",
      profile: "standard",
    });
  });

  it("gives the catalog's reason for an unavailable target or combination, null for an available one", () => {
    expect(targetUnavailable(CATALOG, "openclaw", "docker")).toBeNull();
    expect(targetUnavailable(CATALOG, "openclaw", "k8s")).toBe("No usable Kubernetes cluster is registered");
    expect(targetUnavailable(CATALOG, "openclaw", "proxmox")).toBe("Proxmox is release-blocked");
    expect(profileUnavailable(CATALOG, { family: "hermes", target: "docker" }, "nemoclaw")).toBe(
      "Hermes has no hardened profile yet",
    );
    expect(profileUnavailable(CATALOG, { family: "openclaw", target: "docker" }, "nemoclaw")).toBeNull();
  });

  it("holds each step until it is complete, with the error on the field", () => {
    expect(stepErrors("runtime", draft({ name: "  " }), CATALOG)).toEqual({ name: "Name the agent" });
    expect(stepErrors("runtime", draft(), CATALOG)).toEqual({});
    expect(stepErrors("target", draft({ target: "k8s" }), CATALOG).target).toMatch(/^Unavailable: No usable/);
    expect(stepErrors("resources", draft({ vcpu: "0", memoryMb: "1.5", diskGb: "x" }), CATALOG)).toEqual({
      vcpu: "Between 0.1 and 256",
      memoryMb: "Enter a whole number",
      diskGb: "Enter a number",
    });
    expect(stepErrors("providers", draft({ providers: "chosen" }), CATALOG).providerIds).toBeDefined();
    const files = [
      { path: "AGENTS.md", content: "a" },
      { path: "AGENTS.md", content: "b" },
      { path: "", content: "" },
    ];
    expect(stepErrors("template", draft({ files }), CATALOG)).toEqual({
      "files.1": "Two files have this path",
      "files.2": "Give the file a path",
    });
    expect(firstIncompleteStep(draft({ vcpu: "999" }), CATALOG)).toBe("resources");
    expect(firstIncompleteStep(draft(), CATALOG)).toBeUndefined();
  });

  it("builds the body the API takes: empty resources left to the server, providers only when chosen", () => {
    expect(deployBody(draft())).toEqual({
      name: "scout",
      family: "openclaw",
      target: "docker",
      profile: "standard",
    });
    const id = "5b0f8a52-52f4-4e0f-9f0b-0c4b9c1b8a11";
    expect(
      deployBody(
        draft({
          vcpu: "1.5",
          memoryMb: "4096",
          providers: "chosen",
          providerIds: [id],
          files: [{ path: " AGENTS.md ", content: "# hi" }],
        }),
      ),
    ).toMatchObject({ vcpu: 1.5, memoryMb: 4096, providerIds: [id], template: { "AGENTS.md": "# hi" } });
    expect(checkDeployBody(draft())).toEqual([]);
    const bad = checkDeployBody(draft({ files: [{ path: "../etc/passwd", content: "" }] }));
    expect(bad.length).toBeGreaterThan(0);
    expect(stepOfIssuePath(bad[0]?.path ?? "")).toBe("template");
  });

  it("sends an API issue back to the step that holds its field", () => {
    expect(stepOfIssuePath("name")).toBe("runtime");
    expect(stepOfIssuePath("memoryMb")).toBe("resources");
    expect(stepOfIssuePath("template.AGENTS.md")).toBe("template");
    expect(stepOfIssuePath("")).toBe("review");
  });
});

describe("the wizard's choice steps", () => {
  const noop = () => {};

  it("shows an unavailable target disabled, with its reason tied to the radio", () => {
    const root = render(<TargetStep draft={draft()} catalog={CATALOG} errors={{}} update={noop} />);
    const k8s = root.querySelector('input[value="k8s"]');
    expect(k8s?.hasAttribute("disabled")).toBe(true);
    const reasonId = (k8s?.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .find((id) => id.endsWith("-reason"));
    expect(root.querySelector(`[id="${reasonId}"]`)?.text).toBe(
      "Unavailable: No usable Kubernetes cluster is registered",
    );
    expect(root.querySelector('input[value="docker"]')?.hasAttribute("disabled")).toBe(false);
    expect(root.querySelector('input[value="docker"]')?.hasAttribute("checked")).toBe(true);
  });

  it("judges a profile by the chosen family and target", () => {
    const root = render(
      <ProfileStep draft={draft({ family: "hermes" })} catalog={CATALOG} errors={{}} update={noop} />,
    );
    expect(root.querySelector('input[value="nemoclaw"]')?.hasAttribute("disabled")).toBe(true);
    expect(root.text).toContain("Unavailable: Hermes has no hardened profile yet");
    expect(root.querySelector(".nora-choice-tag")?.text).toBe("experimental");
  });

  it("shows a step's errors inline on their field", () => {
    const root = render(
      <RuntimeStep
        draft={draft({ name: "" })}
        catalog={CATALOG}
        errors={{ name: "Name the agent" }}
        update={noop}
      />,
    );
    const input = root.querySelector('input[name="name"]');
    expect(input?.getAttribute("aria-invalid")).toBe("true");
    const errorId = (input?.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .find((id) => id.endsWith("-error"));
    expect(root.querySelector(`[id="${errorId}"]`)?.text).toContain("Name the agent");
  });
});
