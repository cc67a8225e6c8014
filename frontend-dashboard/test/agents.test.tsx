import { parse } from "node-html-parser";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SecretForm, validateSecret } from "../src/agents/agent-secrets";
import { listQuery, NO_FILTERS } from "../src/agents/agents-query";
import { actionBlocked } from "../src/agents/lifecycle-actions";
import { applyStatusChange, parseStreamedEvent, statusChangeOf } from "../src/agents/status-events";
import { NewWorkspaceForm, validateWorkspace } from "../src/workspace/new-workspace-screen";

const render = (element: React.ReactElement) => parse(renderToStaticMarkup(element));
const formProps = {
  ref: { current: null },
  noValidate: true as const,
  onSubmit: () => {},
  onChange: () => {},
  "aria-busy": undefined,
};
const AGENT = "0d9b3f3e-0c53-4d39-8f55-1c0f0b7f7a10";

describe("live status from the event stream", () => {
  const event = (metadata: Record<string, unknown>, type = "agent.status_changed") =>
    JSON.stringify({
      id: "7",
      agentId: AGENT,
      type,
      severity: "info",
      message: "",
      metadata,
      createdAt: "2026-01-01T00:00:00Z",
    });

  it("reads a status change, ignores what is not one or not JSON", () => {
    const parsed = parseStreamedEvent(event({ from: "queued", to: "failed", reason: "image pull failed" }));
    expect(parsed && statusChangeOf(parsed)).toEqual({
      agentId: AGENT,
      status: "failed",
      reason: "image pull failed",
      at: "2026-01-01T00:00:00Z",
    });
    const other = parseStreamedEvent(event({}, "deployment.started"));
    expect(other && statusChangeOf(other)).toBeNull();
    const unknown = parseStreamedEvent(event({ to: "exploded" }));
    expect(unknown && statusChangeOf(unknown)).toBeNull();
    expect(parseStreamedEvent("not json")).toBeNull();
  });

  it("changes only the row of that agent, and keeps the array when none is", () => {
    const rows = [
      { id: AGENT, status: "queued" as const, statusReason: null, statusChangedAt: "x" },
      { id: "other", status: "running" as const, statusReason: null, statusChangedAt: "x" },
    ];
    const next = applyStatusChange(rows, { agentId: AGENT, status: "running", reason: null, at: "y" });
    expect(next.map((r) => r.status)).toEqual(["running", "running"]);
    expect(next[1]).toBe(rows[1]);
    expect(applyStatusChange(rows, { agentId: "nobody", status: "failed", reason: null, at: "y" })).toBe(
      rows,
    );
  });
});

describe("the agents list's query", () => {
  it("leaves empty filters out and trims the search (the API refuses an empty q)", () => {
    expect(listQuery(NO_FILTERS, undefined)).toEqual({ limit: "25" });
    expect(listQuery({ status: "failed", family: "", target: "docker", q: "  scout " }, "c")).toEqual({
      limit: "25",
      status: "failed",
      target: "docker",
      q: "scout",
      cursor: "c",
    });
  });
});

describe("lifecycle actions", () => {
  it("say why they are disabled: the role first, then the status", () => {
    expect(actionBlocked("stop", "running", false)).toBe("Needs the editor role or above");
    expect(actionBlocked("start", "running", true)).toBe("The agent is already running");
    expect(actionBlocked("restart", "provisioning", true)).toMatch(/no longer provisioning/);
    expect(actionBlocked("redeploy", "failed", true)).toBeNull();
    expect(actionBlocked("start", "stopped", true)).toBeNull();
  });
});

describe("forms", () => {
  it("the workspace form refuses an empty name before sending, and shows the API's refusal inline", () => {
    expect(validateWorkspace({ name: " " }).fields).toEqual({ name: "Name the workspace" });
    const root = render(
      <NewWorkspaceForm
        form={{
          formProps,
          submitting: false,
          errors: { fields: { name: "Too long" }, form: [], requestId: "req-42" },
        }}
      />,
    );
    expect(root.querySelector('input[name="name"]')?.getAttribute("aria-invalid")).toBe("true");
    expect(root.querySelector(".nora-field-error")?.text).toContain("Too long");
    expect(root.querySelector('[role="alert"]')?.text).toContain("Could not create the workspace");
    expect(root.querySelector('[role="alert"] code')?.text).toBe("req-42");
  });

  it("the secret form checks the name's shape and never renders a value back", () => {
    expect(validateSecret({ name: "github_token", value: "x" }).fields.name).toMatch(/^Upper-case/);
    expect(validateSecret({ name: "", value: "" }).fields).toEqual({
      name: "Name the secret",
      value: "Give the secret a value",
    });
    const root = render(
      <SecretForm
        form={{ formProps, submitting: false, errors: { fields: { value: "Too long" }, form: [] } }}
        editBlocked={null}
      />,
    );
    const value = root.querySelector('input[name="value"]');
    expect(value?.getAttribute("type")).toBe("password");
    expect(value?.hasAttribute("value")).toBe(false);
    expect(value?.getAttribute("aria-invalid")).toBe("true");
  });

  it("the secret form is disabled for a viewer, with the reason", () => {
    const root = render(
      <SecretForm
        form={{ formProps, submitting: false, errors: { fields: {}, form: [] } }}
        editBlocked="Needs the editor role or above"
      />,
    );
    expect(root.querySelector('input[name="name"]')?.hasAttribute("disabled")).toBe(true);
    const button = root.querySelector('button[type="submit"]');
    expect(button?.getAttribute("aria-disabled")).toBe("true");
    expect(button?.getAttribute("title")).toBe("Needs the editor role or above");
  });
});
