import { describe, expect, it } from "vitest";
import {
  KUBERNETES_REQUIRED_PERMISSIONS,
  KubeconfigError,
  parseKubeconfig,
  requiredPermissionChecks,
  requiredRoleManifest,
} from "./kubernetes-cluster.js";

/** A kubeconfig as an admin pastes it, with `cluster` and `user` fields merged over the basics. */
function kubeconfig(
  opts: {
    cluster?: Record<string, unknown>;
    user?: Record<string, unknown>;
    currentContext?: string | null;
  } = {},
): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "prod",
        cluster: {
          server: "https://k8s.example.test:6443",
          "certificate-authority-data": "Q0E=",
          ...opts.cluster,
        },
      },
    ],
    users: [{ name: "nora", user: { token: "secret-token-value", ...opts.user } }],
    contexts: [{ name: "main", context: { cluster: "prod", user: "nora" } }],
    ...(opts.currentContext === null ? {} : { "current-context": opts.currentContext ?? "main" }),
  });
}

function ruleOf(text: string, allowInsecureTls = false): string {
  try {
    parseKubeconfig(text, { source: "api", allowInsecureTls });
  } catch (error) {
    if (error instanceof KubeconfigError) {
      expect(error.message).not.toContain("secret-token-value");
      return error.rule;
    }
    throw error;
  }
  return "accepted";
}

describe("parseKubeconfig (source: api)", () => {
  it("accepts embedded data and keeps only the current context", () => {
    const parsed = parseKubeconfig(kubeconfig(), { source: "api" });
    expect(parsed.server).toBe("https://k8s.example.test:6443");
    expect(parsed.kubeConfig.getCurrentUser()?.token).toBe("secret-token-value");
    expect(parsed.kubeConfig.getCurrentCluster()?.caData).toBe("Q0E=");
    expect(parsed.kubeConfig.getContexts()).toHaveLength(1);
  });

  it.each([
    [{ user: { exec: { command: "/bin/sh", args: ["-c", "id"] } } }, "exec_forbidden"],
    [{ user: { "auth-provider": { name: "oidc", config: {} } } }, "auth_provider_forbidden"],
    [{ user: { "client-certificate": "/etc/passwd" } }, "file_reference_forbidden"],
    [{ user: { "client-key": "/etc/shadow" } }, "file_reference_forbidden"],
    [{ user: { "token-file": "/var/run/secrets/token" } }, "file_reference_forbidden"],
    [{ user: { tokenFile: "/var/run/secrets/token" } }, "file_reference_forbidden"],
    [{ cluster: { "certificate-authority": "/etc/ca.pem" } }, "file_reference_forbidden"],
    [{ cluster: { "proxy-url": "http://127.0.0.1:3128" } }, "proxy_url_forbidden"],
    [{ cluster: { server: "http://k8s.example.test:6443" } }, "server_not_https"],
    [{ cluster: { server: "not a url" } }, "server_invalid"],
    [{ cluster: { "insecure-skip-tls-verify": true } }, "insecure_tls_forbidden"],
    [{ currentContext: null }, "current_context_missing"],
    [{ currentContext: "elsewhere" }, "current_context_unknown"],
  ])("refuses %j with %s", (opts, rule) => {
    expect(ruleOf(kubeconfig(opts))).toBe(rule);
  });

  it("refuses a forbidden user even when it is not the current one", () => {
    const doc = JSON.parse(kubeconfig());
    doc.users.push({ name: "other", user: { exec: { command: "curl" } } });
    expect(ruleOf(JSON.stringify(doc))).toBe("exec_forbidden");
  });

  it("allows insecure-skip-tls-verify only with the switch, and says so", () => {
    const text = kubeconfig({ cluster: { "insecure-skip-tls-verify": true } });
    expect(parseKubeconfig(text, { source: "api", allowInsecureTls: true }).insecureSkipTlsVerify).toBe(true);
  });

  it("refuses bad YAML without quoting it", () => {
    expect(ruleOf("token: secret-token-value\n  : : [")).toBe("kubeconfig_yaml");
    expect(ruleOf("- just\n- a list")).toBe("kubeconfig_shape");
    expect(ruleOf(JSON.stringify({ clusters: "nope", "current-context": "x" }))).toBe("kubeconfig_shape");
  });
});

describe("parseKubeconfig (source: file)", () => {
  it("applies the context, server and TLS rules to the operator's file", () => {
    expect(() => parseKubeconfig(kubeconfig({ currentContext: null }), { source: "file" })).toThrow(
      KubeconfigError,
    );
    const parsed = parseKubeconfig(kubeconfig({ user: { exec: { command: "aws", apiVersion: "v1" } } }), {
      source: "file",
    });
    expect(parsed.server).toBe("https://k8s.example.test:6443");
  });
});

describe("required permissions", () => {
  it("is one list: every verb is one review and the Role manifest carries each rule", () => {
    const checks = requiredPermissionChecks();
    expect(checks).toHaveLength(KUBERNETES_REQUIRED_PERMISSIONS.reduce((n, p) => n + p.verbs.length, 0));
    expect(checks).toContainEqual({ verb: "delete", group: "", resource: "secrets" });
    expect(checks).toContainEqual({ verb: "create", group: "", resource: "pods/exec" });
    const manifest = requiredRoleManifest("nora-agents");
    expect(manifest).toContain("namespace: nora-agents");
    expect(manifest).toContain('resources: ["networkpolicies"]');
  });
});
