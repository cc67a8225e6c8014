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
 * The admin app in Debian's Chromium, through the repository's nginx.conf in front of the built API
 * and the three apps: claim a fresh server (the first account is platform admin), open every admin
 * page with axe-core, act on users, settings, fleet, audit and clusters, then check that a second,
 * ordinary account gets the refusal page. Screenshots land in admin-dashboard/test-artifacts/screenshots/ (gitignored).
 */
const SHOTS = join(REPO_ROOT, "admin-dashboard", "test-artifacts", "screenshots");
const ADMIN = { email: "ana@example.org", password: "a long passphrase 42" };
const USER = { email: "bo@example.org", password: "another passphrase 7" };
const PASSWORD_INPUT = "#nora-main input[name=password]";

const skip = chromiumMissing;
const note = chromiumNote;

describe.skipIf(skip)(`the admin app in Chromium through nginx${note}`, () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const accessibility = new Map<string, string[]>();
  const browserErrors: string[] = [];

  const shoot = (p: Page, name: string) =>
    p.screenshot({ path: join(SHOTS, `admin-${name}.png`), fullPage: true });
  const audit = async (p: Page, name: string) => accessibility.set(name, await axeViolations(p));
  const apiPost = (path: string, body: unknown) =>
    page.request.post(`${stack.url}${path}`, { data: body, headers: { origin: stack.url } });

  async function newContext(): Promise<BrowserContext> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Nothing but the stack: a request anywhere else fails instead of leaving the machine.
    await ctx.route(/.*/, (route) =>
      route.request().url().startsWith(stack.url) ? route.continue() : route.abort(),
    );
    return ctx;
  }

  async function open(p: Page, path: string, heading: string) {
    await p.goto(`${stack.url}/admin${path}`);
    await p.getByRole("heading", { level: 1, name: heading }).waitFor();
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    stack = await startStack({ admin: true });
    browser = await launchChromium();
    context = await newContext();
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (error) => browserErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("claims the server and opens the admin overview", async () => {
    await page.goto(`${stack.url}/claim`);
    await page.getByRole("textbox", { name: "Email" }).fill(ADMIN.email);
    await page.locator(PASSWORD_INPUT).fill(ADMIN.password);
    await page.getByRole("button", { name: "Claim this server" }).click();
    await page.waitForURL(`${stack.url}/app`);
    // Something for the fleet: a workspace with one agent (queued: no provisioner runs here).
    const ws = await apiPost("/api/workspaces", { name: "Acme" });
    expect(ws.status()).toBe(201);
    const workspaceId = ((await ws.json()) as { workspace: { id: string } }).workspace.id;
    expect((await apiPost(`/api/workspaces/${workspaceId}/agents`, { name: "web-1" })).status()).toBe(202);

    await open(page, "", "Administration");
    await shoot(page, "overview");
    await audit(page, "overview");
  });

  it("users: the last active admin cannot lose the role, and the refusal says so", async () => {
    await open(page, "/users", "Users");
    const row = page.getByRole("row", { name: new RegExp(`${ADMIN.email} \\(you\\)`) });
    await row.waitFor();
    expect(
      await row.getByRole("button", { name: `Disable ${ADMIN.email}` }).getAttribute("aria-disabled"),
    ).toBe("true");
    await row.getByRole("button", { name: `Make user: ${ADMIN.email}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Change role" }).click();
    await page.getByText("At least one active admin must remain").waitFor();
    await page.getByText("The platform must keep at least one active admin").first().waitFor();
    await shoot(page, "users");
    await audit(page, "users");
  });

  it("settings: stores the signup mode and says where it comes from", async () => {
    await open(page, "/settings", "Platform settings");
    await page.getByText("The server default").first().waitFor();
    await page.getByRole("radio", { name: /^Open/ }).check();
    await page.getByRole("button", { name: "Save signup mode" }).click();
    await page.getByText("Stored by an administrator").waitFor();
    await page.getByText(`by ${ADMIN.email}`).waitFor();
    await shoot(page, "settings");
    await audit(page, "settings");
  });

  it("fleet: lists the agent with its workspace, and a bulk action reports per agent", async () => {
    await open(page, "/fleet", "Fleet");
    const row = page.getByRole("row", { name: /web-1/ });
    await row.getByText("Acme").waitFor();
    await row.getByRole("checkbox", { name: "Select web-1" }).check();
    await page.getByRole("button", { name: "Restart selected" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Restart 1" }).click();
    await page.getByRole("heading", { name: /^Restart: \d queued, \d refused$/ }).waitFor();
    await shoot(page, "fleet");
    await audit(page, "fleet");
  });

  it("audit: filters by action prefix and exports CSV", async () => {
    await open(page, "/audit", "Audit log");
    await page.getByRole("textbox", { name: "Action" }).fill("admin");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page
      .getByRole("row", { name: /admin\.settings_updated|admin\.user/ })
      .first()
      .waitFor();
    const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
    expect(href).toContain("format=csv");
    expect(href).toContain("action=admin");
    const csv = await page.request.get(`${stack.url}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    await page.getByRole("textbox", { name: "Workspace id" }).fill("not-an-id");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByText("Enter a full id (a UUID)").waitFor();
    await shoot(page, "audit");
    await audit(page, "audit");
  });

  it("queues and keys: the dead-letter view and the key usage", async () => {
    await open(page, "/queues", "Failed jobs");
    await page.getByText("No failed job in deployments").waitFor();
    await shoot(page, "queues");
    await audit(page, "queues");
    await open(page, "/keys", "Encryption keys");
    await page.getByText("Current key", { exact: true }).waitFor();
    await page.getByRole("heading", { name: "Last rotation" }).waitFor();
    await shoot(page, "keys");
    await audit(page, "keys");
  });

  it("clusters: a kubeconfig that runs a program is refused inline; a good one is added and deleted", async () => {
    await open(page, "/clusters", "Kubernetes clusters");
    await page.getByText("No cluster yet").waitFor();
    await page.getByRole("button", { name: "Add cluster" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("lab");
    const kubeconfig = (user: object) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          { name: "m", cluster: { server: "https://127.0.0.1:6443", "certificate-authority-data": "Q0E=" } },
        ],
        users: [{ name: "m", user }],
        contexts: [{ name: "m", context: { cluster: "m", user: "m" } }],
        "current-context": "m",
      });
    await dialog.getByRole("textbox", { name: "Kubeconfig" }).fill(kubeconfig({ exec: { command: "x" } }));
    await dialog.getByRole("button", { name: "Add cluster" }).click();
    await dialog.getByText(/rule: exec_forbidden/).waitFor();
    await shoot(page, "cluster-refused");
    await audit(page, "cluster-form");
    await dialog.getByRole("textbox", { name: "Kubeconfig" }).fill(kubeconfig({ token: "lab-token" }));
    await dialog.getByRole("button", { name: "Add cluster" }).click();
    const row = page.getByRole("row", { name: /lab \(default\)/ });
    await row.waitFor();
    await shoot(page, "clusters");
    await audit(page, "clusters");
    await row.getByRole("button", { name: "Delete lab" }).click();
    const confirm = page.getByRole("alertdialog");
    await confirm.getByRole("textbox").fill("lab");
    await confirm.getByRole("button", { name: "Delete cluster" }).click();
    await page.getByText("No cluster yet").waitFor();
  });

  it("sends a visitor without a session to sign in, and shows an ordinary account the refusal", async () => {
    expect((await apiPost("/api/auth/signup", { ...USER })).status()).toBe(202);
    const other = await newContext();
    const visitor = await other.newPage();
    visitor.setDefaultTimeout(10_000);
    await visitor.goto(`${stack.url}/admin/users`);
    await visitor.waitForURL(`${stack.url}/login?next=%2Fadmin%2Fusers`);
    await visitor.getByRole("textbox", { name: "Email" }).fill(USER.email);
    await visitor.locator(PASSWORD_INPUT).fill(USER.password);
    await visitor.getByRole("button", { name: "Sign in", exact: true }).click();
    await visitor.waitForURL(`${stack.url}/admin/users`);
    await visitor.getByRole("heading", { level: 1, name: "Administrators only" }).waitFor();
    expect(await visitor.getByRole("link", { name: "Go to your dashboard" }).getAttribute("href")).toBe(
      "/app",
    );
    expect(await visitor.getByRole("navigation", { name: "Administration" }).count()).toBe(0);
    // The API refuses regardless of what the page shows.
    expect((await visitor.request.get(`${stack.url}/api/admin/users`)).status()).toBe(403);
    await shoot(visitor, "refused");
    await audit(visitor, "refused");
    await other.close();
  });

  it("has no serious or critical accessibility violation and no page error", () => {
    expect(Object.fromEntries(accessibility)).toEqual(
      Object.fromEntries([...accessibility.keys()].map((name) => [name, []])),
    );
    expect(browserErrors).toEqual([]);
  });
});
