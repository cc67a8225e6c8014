import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  axeViolations,
  chromiumMissing,
  chromiumNote,
  launchChromium,
} from "../../frontend-marketing/test/browser.js";
import { REPO_ROOT, type Stack, startStack } from "../../frontend-marketing/test/stack.js";

/**
 * Workspace settings in Debian's Chromium, through the repository's nginx.conf in front of the built
 * API and apps: an owner creates an API key (used from here with fetch), adds a provider and invites
 * a second user, who signs up through the invitation link and shows up as a viewer.
 */
const SHOTS = join(REPO_ROOT, "frontend-dashboard", "test-artifacts", "screenshots");
const OWNER = { email: "owner@example.org", password: "a long passphrase 42", displayName: "Olga" };
const INVITEE = { email: "bob@example.org", password: "another passphrase 7", displayName: "Bob" };
const PROVIDER_KEY = "sk-test-0123456789abcdefWXYZ";

const skip = chromiumMissing;
const note = chromiumNote;

describe.skipIf(skip)(`workspace settings in Chromium through nginx${note}`, () => {
  let stack: Stack;
  let browser: Browser;
  let owner: Page;
  let workspaceId: string;
  let acceptUrl: string;
  let invitee: Page;
  const accessibility = new Map<string, string[]>();
  const browserErrors: string[] = [];

  const shoot = (page: Page, name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const audit = async (page: Page, name: string) => accessibility.set(name, await axeViolations(page));

  async function newContext(): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.route(/.*/, (route) =>
      route.request().url().startsWith(stack.url) ? route.continue() : route.abort(),
    );
    return context;
  }
  async function newPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (error) => browserErrors.push(error.message));
    return page;
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    stack = await startStack();
    browser = await launchChromium();
    const context = await newContext();
    // Claim the server and create a workspace through the API, with the browser context's cookies.
    const headers = { origin: stack.url };
    const signup = await context.request.post(`${stack.url}/api/auth/signup`, { data: OWNER, headers });
    expect(signup.status()).toBeLessThan(300);
    const login = await context.request.post(`${stack.url}/api/auth/login`, {
      data: { email: OWNER.email, password: OWNER.password },
      headers,
    });
    expect(login.status()).toBe(200);
    const created = await context.request.post(`${stack.url}/api/workspaces`, {
      data: { name: "Research" },
      headers,
    });
    expect(created.status()).toBe(201);
    workspaceId = ((await created.json()) as { workspace: { id: string } }).workspace.id;
    owner = await newPage(context);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const settings = (section: string) => `${stack.url}/app/w/${workspaceId}/settings/${section}`;

  it("creates an API key, shows it once, and the key works from outside the browser", async () => {
    await owner.goto(settings("api-keys"));
    await owner.getByRole("button", { name: "Create API key" }).click();
    const dialog = owner.getByRole("dialog", { name: "Create an API key" });
    // Sent empty, the description is refused inline before anything is sent.
    await dialog.getByRole("button", { name: "Create key" }).click();
    await dialog.getByText("Say what the key is for").waitFor();
    await dialog.getByRole("textbox", { name: "Description" }).fill("CI deploys");
    await dialog.getByRole("button", { name: "Create key" }).click();
    const secret = owner.locator(".nora-secret-value");
    await secret.waitFor();
    const key = (await secret.textContent()) ?? "";
    expect(key).toMatch(/^nora_/);
    await shoot(owner, "settings-api-key-revealed");
    await audit(owner, "api key revealed");

    await owner.getByRole("button", { name: "I have copied it" }).click();
    await owner.getByRole("row", { name: /CI deploys/ }).waitFor();
    expect(await owner.locator(".nora-secret-value").count()).toBe(0);
    const stored = await owner.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).not.toContain(key);
    expect(await owner.content()).not.toContain(key);
    await shoot(owner, "settings-api-keys");
    await audit(owner, "api keys");

    const res = await fetch(`${stack.url}/api/workspaces/${workspaceId}/llm-providers`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(200);
  });

  it("adds an LLM provider; its key is never shown back", async () => {
    await owner.goto(settings("providers"));
    await owner.getByRole("button", { name: "Add provider" }).click();
    const dialog = owner.getByRole("dialog", { name: "Add an LLM provider" });
    await dialog.getByRole("textbox", { name: "Name" }).fill("OpenAI main");
    await dialog.getByRole("button", { name: "Add provider" }).click();
    // The contract's rule (the client checks it before sending), inline on the key field.
    await dialog.getByText(/apiKey is required/).waitFor();
    expect(await dialog.locator("input[name=apiKey]").getAttribute("aria-invalid")).toBe("true");
    await shoot(owner, "settings-provider-refused");
    await dialog.locator("input[name=apiKey]").fill(PROVIDER_KEY);
    await dialog.getByRole("button", { name: "Add provider" }).click();
    await owner.getByRole("row", { name: /OpenAI main/ }).waitFor();
    expect(await owner.content()).not.toContain(PROVIDER_KEY);
    await owner.getByText("••••WXYZ").waitFor();
    await shoot(owner, "settings-providers");
    await audit(owner, "providers");
  });

  it("invites a second user; without mail the link is shown once", async () => {
    await owner.goto(settings("invitations"));
    await owner.getByRole("textbox", { name: "Email" }).fill(INVITEE.email);
    await owner.getByRole("button", { name: "Send invitation" }).click();
    const link = owner.locator(".nora-secret-value");
    await link.waitFor();
    acceptUrl = (await link.textContent()) ?? "";
    expect(acceptUrl).toMatch(new RegExp(`^${stack.url}/app/invitations/accept#token=[A-Za-z0-9_-]{43}$`));
    await owner.getByRole("row", { name: new RegExp(INVITEE.email) }).waitFor();
    await shoot(owner, "settings-invitations");
    await audit(owner, "invitations");
  });

  it("the invitee follows the link, signs up, and lands in the workspace as a viewer", async () => {
    invitee = await newPage(await newContext());
    await invitee.goto(acceptUrl);
    await invitee.waitForURL(`${stack.url}/signup`);
    await invitee.getByLabel("Your name").fill(INVITEE.displayName);
    await invitee.getByRole("textbox", { name: "Email" }).fill(INVITEE.email);
    await invitee.locator("#nora-main input[name=password]").fill(INVITEE.password);
    await invitee.getByRole("button", { name: "Create account" }).click();
    await invitee.waitForURL(new RegExp(`/app/w/${workspaceId}/`));
    await invitee.goto(settings("members"));
    await invitee.getByText(/only admins and owners change roles/).waitFor();
    expect(await invitee.locator("table").getByRole("combobox").count()).toBe(0);
    await shoot(invitee, "settings-members-as-viewer");
    await audit(invitee, "members as viewer");

    await owner.goto(settings("members"));
    const row = owner.getByRole("row", { name: new RegExp(INVITEE.email) });
    await row.waitFor();
    expect(await row.getByRole("combobox").inputValue()).toBe("viewer");
    await shoot(owner, "settings-members");
    await audit(owner, "members");
  });

  it("a signed-in user accepts an invitation to another workspace and lands in it", async () => {
    const headers = { origin: stack.url };
    const request = owner.context().request;
    const ops = await request.post(`${stack.url}/api/workspaces`, { data: { name: "Ops" }, headers });
    const opsId = ((await ops.json()) as { workspace: { id: string } }).workspace.id;
    const invited = await request.post(`${stack.url}/api/workspaces/${opsId}/invitations`, {
      data: { email: INVITEE.email, role: "editor" },
      headers,
    });
    const { acceptUrl: link } = (await invited.json()) as { acceptUrl: string };
    await invitee.goto(link);
    await invitee.getByRole("button", { name: "Accept invitation" }).waitFor();
    // The token is read from the fragment and cleaned from the address bar.
    expect(invitee.url()).toBe(`${stack.url}/app/invitations/accept`);
    await shoot(invitee, "invitation-accept");
    await audit(invitee, "invitation accept");
    await invitee.getByRole("button", { name: "Accept invitation" }).click();
    await invitee.waitForURL(`${stack.url}/app/w/${opsId}/agents`);
  });

  it("shows the audit log and the account page", async () => {
    await owner.goto(settings("audit"));
    await owner.locator("table code").first().waitFor();
    await shoot(owner, "settings-audit");
    await audit(owner, "audit");
    await owner.goto(`${stack.url}/app/account`);
    await owner.getByRole("heading", { name: "Sessions" }).waitFor();
    await owner.getByText("this browser").waitFor();
    // A wrong current password: the API's message and its request id, in the form's alert.
    await owner.locator("input[name=currentPassword]").fill("not my password at all");
    await owner.locator("input[name=newPassword]").fill("a brand new passphrase 9");
    const refused = owner.waitForResponse((res) => res.url().endsWith("/api/auth/password"));
    await owner.getByRole("button", { name: "Change password" }).click();
    const answer = await refused;
    expect(answer.status()).toBeGreaterThanOrEqual(400);
    const alert = owner.getByRole("alert").filter({ hasText: "Could not change the password" });
    await alert.waitFor();
    expect(await alert.locator("code").textContent()).toBe(answer.headers()["x-request-id"]);
    await shoot(owner, "account");
    await audit(owner, "account");
  });

  it("has no serious or critical axe-core violation and no page error", () => {
    expect(Object.fromEntries(accessibility)).toEqual(
      Object.fromEntries([...accessibility.keys()].map((name) => [name, []])),
    );
    expect(browserErrors).toEqual([]);
  });
});
