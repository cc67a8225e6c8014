import { ApiError } from "@nora/api-client";
import { parse } from "node-html-parser";
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { scopesOf } from "./api-key-form";
import { filtersOf } from "./audit-filters";
import { describeMetadata } from "./audit-section";
import { splitValues } from "./integration-fields";
import { IntegrationForm } from "./integration-form";
import { InvitationOutcome } from "./invitations-section";
import { LoadFailed } from "./load-state";
import { createBodyOf, ProviderForm, updateBodyOf } from "./provider-form";

const render = (element: ReactElement) => parse(renderToStaticMarkup(element));
const noop = () => {};
const WORKSPACE = "00000000-0000-4000-8000-00000000000a";
const invitation = {
  id: "00000000-0000-4000-8000-00000000000b",
  email: "bob@example.org",
  role: "viewer" as const,
  status: "pending" as const,
  invitedBy: null,
  createdAt: "2026-12-01T10:00:00.000Z",
  expiresAt: "2026-12-08T10:00:00.000Z",
  acceptedAt: null,
};

describe("API key form values", () => {
  it("reads the ticked scopes from the checkbox names", () => {
    expect(scopesOf({ description: "CI", "scope:agents:read": "on", "scope:agents:write": "on" })).toEqual([
      "agents:read",
      "agents:write",
    ]);
    expect(scopesOf({ description: "CI" })).toEqual([]);
  });
});

describe("provider form", () => {
  it("asks a hosted kind for its key and shows no stored key", () => {
    const root = render(<ProviderForm workspaceId={WORKSPACE} onSaved={noop} onCancel={noop} />);
    const key = root.querySelector("input[name=apiKey]");
    expect(key?.getAttribute("type")).toBe("password");
    expect(key?.hasAttribute("required")).toBe(true);
    expect(key?.hasAttribute("value") && key.getAttribute("value")).toBeFalsy();
  });

  it("on edit leaves the key empty (write-only) and says a key is stored", () => {
    const provider = {
      id: "00000000-0000-4000-8000-00000000000c",
      kind: "openai" as const,
      name: "Main",
      baseUrl: null,
      defaultModel: "gpt-x",
      isDefault: true,
      keySet: true,
      keyHint: "WXYZ",
      keySetAt: null,
      createdAt: "2026-12-01T10:00:00.000Z",
      updatedAt: "2026-12-01T10:00:00.000Z",
    };
    const root = render(
      <ProviderForm workspaceId={WORKSPACE} provider={provider} onSaved={noop} onCancel={noop} />,
    );
    expect(root.querySelector("input[name=apiKey]")?.getAttribute("value") ?? "").toBe("");
    expect(root.text).toContain("A key ending WXYZ is stored. Leave empty to keep it");
    expect(root.querySelector("input[name=defaultModel]")?.getAttribute("value")).toBe("gpt-x");
  });

  it("sends only what was typed on create, keeps the key on edit unless replaced", () => {
    expect(
      createBodyOf({ kind: "ollama", name: "Local", apiKey: " ", baseUrl: "http://ollama:11434" }),
    ).toEqual({
      kind: "ollama",
      name: "Local",
      baseUrl: "http://ollama:11434",
      isDefault: false,
    });
    expect(updateBodyOf({ name: "Main", apiKey: "", baseUrl: "", defaultModel: "m" })).toEqual({
      name: "Main",
      baseUrl: null,
      defaultModel: "m",
    });
    expect(updateBodyOf({ name: "Main", apiKey: "sk-new" }).apiKey).toBe("sk-new");
  });
});

describe("integration form", () => {
  const catalog = {
    integrations: [
      {
        kind: "webhook",
        label: "Webhook",
        description: "Posts events",
        fields: [
          { name: "url", secret: false, required: true, type: "url" },
          { name: "retries", secret: false, required: false, type: "integer" },
          { name: "verify", secret: false, required: false, type: "boolean" },
          { name: "secret", secret: true, required: true, type: "string" },
        ],
      },
    ],
    channels: [],
  };

  it("draws one input per catalog field, secrets as password inputs under credentials.*", () => {
    const root = render(
      <IntegrationForm workspaceId={WORKSPACE} catalog={catalog} onSaved={noop} onCancel={noop} />,
    );
    expect(root.querySelector("input[name='config.url']")?.getAttribute("type")).toBe("url");
    expect(root.querySelector("input[name='config.verify']")?.getAttribute("type")).toBe("checkbox");
    expect(root.querySelector("input[name='credentials.secret']")?.getAttribute("type")).toBe("password");
  });

  it("splits values into config and credentials, converting numbers and dropping empties", () => {
    const fields = catalog.integrations[0]?.fields ?? [];
    expect(
      splitValues(fields, {
        "config.url": "https://hooks.example.org",
        "config.retries": "3",
        "credentials.secret": "",
      }),
    ).toEqual({ config: { url: "https://hooks.example.org", retries: 3, verify: false }, credentials: {} });
  });
});

describe("invitation outcome", () => {
  it("shows the accept link once, in the secret box, when no mail is configured", () => {
    const acceptUrl = "http://127.0.0.1/app/invitations/accept#token=abc";
    const root = render(
      <InvitationOutcome created={{ invitation, delivery: "link", acceptUrl }} onDismiss={noop} />,
    );
    expect(root.querySelector(".nora-secret-value")?.text).toBe(acceptUrl);
  });

  it("shows no link when the invitation was emailed", () => {
    const root = render(<InvitationOutcome created={{ invitation, delivery: "email" }} onDismiss={noop} />);
    expect(root.querySelector(".nora-secret")).toBeNull();
    expect(root.text).toContain("Invitation emailed to bob@example.org");
  });
});

describe("errors", () => {
  it("a failed load says what the API answered, with its request id", () => {
    const error = new ApiError({
      status: 403,
      error: "forbidden",
      message: "This action needs the admin role",
      requestId: "req-42",
    });
    const root = render(<LoadFailed what="API keys" error={error} />);
    expect(root.text).toContain("The API keys could not be loaded");
    expect(root.text).toContain("This action needs the admin role");
    expect(root.querySelector("code")?.text).toBe("req-42");
  });

  it("audit filters leave empty fields out and send instants", () => {
    expect(filtersOf({ action: " Workspace.Member ", actorUserId: "", from: "", to: "" })).toEqual({
      action: "workspace.member",
    });
    expect(filtersOf({ from: "2026-12-01T10:00" }).from).toMatch(/^2026-12-01T\d\d:00:00.000Z$/);
  });

  it("audit metadata reads as short text", () => {
    expect(describeMetadata({ from: "viewer", scopes: ["agents:read", "agents:write"], n: 2 })).toBe(
      "from: viewer · scopes: agents:read, agents:write · n: 2",
    );
  });
});
