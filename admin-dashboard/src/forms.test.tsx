import { ApiError } from "@nora/api-client";
import { parse } from "node-html-parser";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AuditFilterForm } from "./audit/audit-filter-form";
import { auditQuery, NO_AUDIT_FILTERS, validateAuditFilters } from "./audit/audit-filters";
import { createBody, kubeconfigRefusal, updateBody, validateCluster } from "./clusters/cluster-body";
import { ClusterForm } from "./clusters/cluster-form";
import { fleetQuery, NO_FILTERS } from "./fleet/fleet-filters";
import { FleetResults } from "./fleet/fleet-results";
import { rotationFraction, totalsByKey } from "./keys/rotation";
import { describeJobData } from "./queues/queues-page";
import { settingsBody } from "./settings/signup-mode";
import { SignupModeFacts, SignupModeForm } from "./settings/signup-mode-form";
import type { Cluster } from "./types";
import { changeBody } from "./users/user-actions";

const render = (element: React.ReactElement) => parse(renderToStaticMarkup(element));
const noop = () => undefined;
const ID = "0f6d4c1e-8a3b-4b7e-9c2d-5e6f7a8b9c0d";

const CLUSTER: Cluster = {
  id: ID,
  name: "prod",
  namespace: "nora-agents",
  source: "api",
  hasKubeconfig: true,
  serverHost: "10.0.0.1:6443",
  serviceType: "ClusterIP",
  storageClass: null,
  isDefault: true,
  lastCheck: null,
  lastCheckedAt: null,
  warnings: [],
  agentCount: 0,
  createdBy: null,
  createdAt: "2026-12-01T10:00:00.000Z",
  updatedAt: "2026-12-01T10:00:00.000Z",
};

describe("the signup mode form", () => {
  const setting = {
    value: "invite",
    source: "default",
    default: "invite",
    updatedAt: null,
    updatedBy: null,
  } as const;

  it("sends a mode, or null for the server default", () => {
    expect(settingsBody("closed")).toEqual({ signupMode: "closed" });
    expect(settingsBody("default")).toEqual({ signupMode: null });
    expect(() => settingsBody("everyone")).toThrow("Choose a signup mode");
  });

  it("offers the four choices in one labelled group, the current one checked", () => {
    const form = render(<SignupModeForm setting={setting} onSaved={noop} />);
    expect(form.querySelector("fieldset legend")?.text).toBe("Who may create an account");
    const radios = form.querySelectorAll("input[type=radio][name=signupMode]");
    expect(radios.map((r) => r.getAttribute("value"))).toEqual(["open", "invite", "closed", "default"]);
    expect(form.querySelector("input[checked]")?.getAttribute("value")).toBe("default");
    const stored = render(
      <SignupModeForm setting={{ ...setting, source: "stored", value: "open" }} onSaved={noop} />,
    );
    expect(stored.querySelector("input[checked]")?.getAttribute("value")).toBe("open");
  });

  it("says where the mode comes from and who changed it", () => {
    const facts = render(
      <SignupModeFacts
        setting={{
          ...setting,
          source: "stored",
          value: "closed",
          updatedAt: "2026-12-01T10:00:00.000Z",
          updatedBy: ID,
        }}
        updatedBy="ana@example.org"
      />,
    );
    expect(facts.text).toContain("Stored by an administrator");
    expect(facts.text).toContain("ana@example.org");
    expect(render(<SignupModeFacts setting={setting} />).text).toContain("SIGNUP_MODE = invite");
  });
});

describe("the audit filters", () => {
  it("refuse what the API would, inline, before asking", () => {
    expect(
      validateAuditFilters({ workspaceId: "nope", action: "Auth Login", from: "", to: "" }).fields,
    ).toEqual({
      workspaceId: "Enter a full id (a UUID)",
      action: "Lowercase letters, digits and . _ : - only, e.g. admin or auth.login",
    });
    expect(validateAuditFilters({ from: "2026-12-02T10:00", to: "2026-12-01T10:00" }).fields.to).toBe(
      "The end comes before the start",
    );
    expect(validateAuditFilters({ workspaceId: ID, action: "admin" }).fields).toEqual({});
  });

  it("ask with set filters only, times as instants, and the CSV format when exporting", () => {
    expect(auditQuery(NO_AUDIT_FILTERS, { limit: 100 })).toEqual({ limit: "100" });
    const query = auditQuery(
      { ...NO_AUDIT_FILTERS, action: "admin", from: "2026-12-01T10:00" },
      { before: "42", format: "csv" },
    );
    expect(query).toMatchObject({ action: "admin", before: "42", format: "csv" });
    expect(query.from).toBe(new Date("2026-12-01T10:00").toISOString());
  });

  it("render as a labelled search form with the five fields", () => {
    const form = render(<AuditFilterForm filters={NO_AUDIT_FILTERS} onApply={async () => undefined} />);
    expect(form.querySelector("form")?.getAttribute("aria-label")).toBe("Filter the audit log");
    const names = form.querySelectorAll("input").map((i) => i.getAttribute("name"));
    expect(names).toEqual(["workspaceId", "actorUserId", "action", "from", "to"]);
    for (const input of form.querySelectorAll("input")) {
      expect(form.querySelector(`label[for="${input.getAttribute("id")}"]`)).not.toBeNull();
    }
  });
});

describe("the cluster form", () => {
  it("needs a name, a namespace and, for a new cluster, a kubeconfig", () => {
    expect(validateCluster({ name: " ", namespace: "", kubeconfig: "" }, true).fields).toEqual({
      name: "Name the cluster",
      namespace: "Give the namespace agents run in",
      kubeconfig: "Paste the kubeconfig",
    });
    expect(validateCluster({ name: "a", namespace: "b", kubeconfig: "" }, false).fields).toEqual({});
  });

  it("creates with the kubeconfig as pasted, and updates only what changed", () => {
    expect(
      createBody({
        name: " prod ",
        namespace: "nora",
        kubeconfig: "apiVersion: v1\n",
        serviceType: "NodePort",
        storageClass: "",
      }),
    ).toEqual({ name: "prod", namespace: "nora", kubeconfig: "apiVersion: v1\n", serviceType: "NodePort" });
    expect(
      updateBody(
        {
          name: "prod",
          namespace: "nora-agents",
          kubeconfig: "",
          serviceType: "ClusterIP",
          storageClass: "",
          isDefault: "on",
        },
        CLUSTER,
      ),
    ).toEqual({});
    expect(
      updateBody(
        {
          name: "prod-2",
          namespace: "nora-agents",
          kubeconfig: "k",
          serviceType: "ClusterIP",
          storageClass: "fast",
        },
        CLUSTER,
      ),
    ).toEqual({ name: "prod-2", kubeconfig: "k", storageClass: "fast", isDefault: false });
  });

  it("puts a refused kubeconfig on its field, naming the rule and keeping the request id", () => {
    const refused = new ApiError({
      status: 400,
      error: "kubeconfig_invalid",
      message: "The kubeconfig is refused: exec plugins are not allowed",
      requestId: "req-1",
      details: { rule: "no_exec" },
    });
    expect(kubeconfigRefusal(refused)).toEqual({
      error: "validation_failed",
      message: "The kubeconfig is refused: exec plugins are not allowed",
      requestId: "req-1",
      details: [
        {
          path: "kubeconfig",
          message: "The kubeconfig is refused: exec plugins are not allowed (rule: no_exec)",
        },
      ],
    });
    const other = new ApiError({ status: 409, error: "conflict", requestId: null });
    expect(kubeconfigRefusal(other)).toBe(other);
  });

  it("renders every field labelled; editing never shows the stored kubeconfig", () => {
    const adding = render(<ClusterForm onSaved={noop} onCancel={noop} />);
    for (const control of adding.querySelectorAll("input:not([type=checkbox]), textarea, select")) {
      expect(
        adding.querySelector(`label[for="${control.getAttribute("id")}"]`),
        control.toString(),
      ).not.toBeNull();
    }
    expect(adding.querySelector("textarea")?.getAttribute("required")).not.toBeUndefined();
    const editing = render(<ClusterForm original={CLUSTER} onSaved={noop} onCancel={noop} />);
    expect(editing.querySelector("textarea")?.text).toBe("");
    expect(editing.querySelector("textarea")?.hasAttribute("required")).toBe(false);
    expect(editing.querySelector("input[name=name]")?.getAttribute("value")).toBe("prod");
  });
});

describe("fleet, queues, keys and users", () => {
  it("asks for the fleet with set filters only", () => {
    expect(fleetQuery(NO_FILTERS)).toEqual({ limit: "100" });
    expect(fleetQuery({ ...NO_FILTERS, status: "running", q: " web " }, ID)).toEqual({
      limit: "100",
      status: "running",
      q: "web",
      cursor: ID,
    });
  });

  it("shows each agent's result of a bulk action, refusals in the API's words", () => {
    const results = render(
      <FleetResults
        action="Restart"
        nameOf={(id) => (id === ID ? "web-1" : id)}
        results={[
          { agentId: ID, ok: false, error: "illegal_transition", message: "The agent is being deleted" },
        ]}
      />,
    );
    expect(results.querySelector("h2")?.text).toBe("Restart: 0 queued, 1 refused");
    expect(results.text).toContain("web-1");
    expect(results.text).toContain("Refused (illegal_transition): The agent is being deleted");
  });

  it("describes jobs, rotations and user changes", () => {
    expect(describeJobData({ deploymentId: "d1", agentId: "a1" })).toBe("deploymentId=d1, agentId=a1");
    expect(describeJobData({})).toBe("—");
    const progress = [
      { table: "providers", column: "api_key", resealed: 3, remaining: 1 },
      { table: "integrations", column: "config", resealed: 0, remaining: 0 },
    ];
    expect(rotationFraction({ progress } as never)).toBe(0.75);
    expect(totalsByKey([{ byKeyId: { k1: 2, k2: 1 } }, { byKeyId: { k1: 1 } }])).toEqual(
      new Map([
        ["k1", 3],
        ["k2", 1],
      ]),
    );
    expect(changeBody({ kind: "disable", userId: ID, email: "a" })).toEqual({ disabled: true });
    expect(changeBody({ kind: "role", userId: ID, email: "a", role: "admin" })).toEqual({ role: "admin" });
  });
});
