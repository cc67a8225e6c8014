import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { requiredRoleManifest } from "./kubernetes-cluster.js";

describe("docs/kubernetes.md", () => {
  it("carries the Role generated from KUBERNETES_REQUIRED_PERMISSIONS, unchanged", () => {
    const doc = readFileSync(new URL("../../../docs/kubernetes.md", import.meta.url), "utf8");
    const block = /<!-- nora-role:begin -->\n```yaml\n([\s\S]*?)```\n<!-- nora-role:end -->/.exec(doc);
    expect(block, "the Role block between the nora-role markers").not.toBeNull();
    expect(block?.[1]).toBe(requiredRoleManifest("nora-agents"));
  });
});
