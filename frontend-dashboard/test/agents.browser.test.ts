import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { testServiceUrls } from "@nora/core/testing";
import { publishEvents } from "@nora/domain/events/channel";
import { recordEvent } from "@nora/domain/events/service";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  axeViolations,
  chromiumMissing,
  chromiumNote,
  launchChromium,
} from "../../frontend-marketing/test/browser.js";
import { REPO_ROOT, type Stack, startStack } from "../../frontend-marketing/test/stack.js";

/**
 * The dashboard's workspace, agents list, deploy wizard, Overview and Settings in Debian's Chromium,
 * through the repository's nginx.conf in front of the built API and apps. No provisioner runs: the
 * deploy is checked up to the API's 202 and the agent's queued state; a status change is written and
 * published here as the provisioner would, and the list shows it live. Screenshots land in
 * test-artifacts/screenshots/ (gitignored); axe-core checks every main screen.
 */
const SHOTS = join(REPO_ROOT, "test-artifacts", "screenshots");
const EMAIL = "dana@example.org";
const PASSWORD = "a long passphrase 42";

const skip = chromiumMissing;
const note = chromiumNote;

describe.skipIf(skip)(`workspace → agents → deploy wizard → agent, in Chromium through nginx${note}`, () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let redis: Redis;
  let workspaceId = "";
  let agentId = "";
  const accessibility = new Map<string, string[]>();
  const browserErrors: string[] = [];

  const shoot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const audit = async (name: string) => accessibility.set(name, await axeViolations(page));

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    stack = await startStack();
    redis = new Redis(testServiceUrls().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (error) => browserErrors.push(error.message));
    await context.route(/.*/, (route) =>
      route.request().url().startsWith(stack.url) ? route.continue() : route.abort(),
    );
    // The first account claims the server; signing in through the API gives the context its cookie.
    const headers = { origin: stack.url };
    const signup = await page.request.post(`${stack.url}/api/auth/signup`, {
      headers,
      data: { email: EMAIL, password: PASSWORD, displayName: "Dana" },
    });
    expect(signup.status()).toBeLessThan(300);
    const login = await page.request.post(`${stack.url}/api/auth/login`, {
      headers,
      data: { email: EMAIL, password: PASSWORD },
    });
    expect(login.status()).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    redis?.disconnect();
    await stack?.stop();
  });

  it("creates a workspace (an empty name refused inline first) and lands in its empty agents list", async () => {
    await page.goto(`${stack.url}/app`);
    await page.waitForURL(`${stack.url}/app/workspaces/new`);
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.getByText("Name the workspace").waitFor();
    expect(await page.locator("input[name=name]").getAttribute("aria-invalid")).toBe("true");
    await shoot("workspace-new");
    await audit("workspace-new");

    await page.locator("input[name=name]").fill("Research");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.waitForURL(/\/app\/w\/[0-9a-f-]+\/agents$/);
    workspaceId = /\/w\/([0-9a-f-]+)\//.exec(page.url())?.[1] ?? "";
    await page.getByRole("heading", { name: "No agents in Research yet" }).waitFor();
    // The switcher knows the new workspace and shows it as the current one.
    expect(await page.getByRole("combobox", { name: "Workspace" }).inputValue()).toBe(workspaceId);
    await page.getByText("Live", { exact: true }).waitFor();
    await shoot("agents-empty");
    await audit("agents-empty");
  });

  it("walks the wizard to its review, unavailable options disabled with the catalog's reason", async () => {
    await page.getByRole("link", { name: "Deploy an agent" }).first().click();
    await page.waitForURL(`${stack.url}/app/w/${workspaceId}/agents/new`);
    await page.getByRole("button", { name: /^Next/ }).click();
    await page.getByText("Name the agent").waitFor();
    await page.getByLabel("Agent name").fill("scout");
    await shoot("deploy-runtime");
    await audit("deploy-runtime");
    await page.getByRole("button", { name: /^Next/ }).click();

    await page.getByRole("heading", { name: "Target" }).waitFor();
    const unavailable = page.locator(".nora-choice--unavailable");
    expect(await unavailable.count()).toBeGreaterThan(0);
    for (const card of await unavailable.all()) {
      expect(await card.locator("input").isDisabled()).toBe(true);
      expect(await card.locator(".nora-choice-reason").textContent()).toMatch(/^Unavailable: .+/);
    }
    const proxmox = page.locator('input[value="proxmox"]');
    expect(await proxmox.isDisabled()).toBe(true);
    await shoot("deploy-target");
    await audit("deploy-target");
    expect(await page.locator('input[value="docker"]').isChecked()).toBe(true);

    for (const heading of ["Sandbox profile", "Resources", "Providers", "Template files"]) {
      await page.getByRole("button", { name: /^Next/ }).click();
      await page.getByRole("heading", { name: heading }).waitFor();
    }
    await page.getByRole("button", { name: /^Next/ }).click();
    await page.getByRole("heading", { name: "Review" }).waitFor();
    await page.getByText("docker", { exact: true }).waitFor();
    await shoot("deploy-review");
    await audit("deploy-review");
  });

  it("deploys (202 from the API) into the new agent's Overview, queued", async () => {
    const accepted = page.waitForResponse(
      (res) =>
        res.url().endsWith(`/api/workspaces/${workspaceId}/agents`) && res.request().method() === "POST",
    );
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    expect((await accepted).status()).toBe(202);
    await page.waitForURL(/\/agents\/[0-9a-f-]+\/overview$/);
    agentId = /\/agents\/([0-9a-f-]+)\/overview/.exec(page.url())?.[1] ?? "";
    await page.getByRole("heading", { name: "scout", level: 1 }).waitFor();
    await page.locator(".nora-agent-heading [data-status=queued]").waitFor();
    await page.getByRole("heading", { name: "Deployments" }).waitFor();
    await page.getByRole("rowheader", { name: "deploy", exact: true }).waitFor();
    await shoot("agent-overview");
    await audit("agent-overview");

    await page.getByRole("link", { name: "Settings", exact: true }).last().click();
    await page.getByRole("heading", { name: "Secret overrides" }).waitFor();
    await shoot("agent-settings");
    await audit("agent-settings");
  });

  it("updates a row's status live when its event arrives, without reloading", async () => {
    await page.goto(`${stack.url}/app/w/${workspaceId}/agents`);
    const row = page.getByRole("row", { name: /scout/ });
    await row.locator("[data-status=queued]").waitFor();
    await page.getByText("Live", { exact: true }).waitFor();
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const reason = "test: the provisioner does not run in this stack";
    await stack.db.pool.query("UPDATE agents SET status = 'failed', status_reason = $2 WHERE id = $1", [
      agentId,
      reason,
    ]);
    const event = await recordEvent(stack.db.pool, {
      workspaceId,
      agentId,
      type: "agent.status_changed",
      severity: "error",
      message: `queued → failed: ${reason}`,
      metadata: { from: "queued", to: "failed", reason },
    });
    expect(await publishEvents(redis, stack.redisKeyPrefix, [event])).toBe(true);
    await row.locator("[data-status=failed]").waitFor();
    await row.getByText(reason).waitFor();
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await shoot("agents-list");
    await audit("agents-list");
  });

  it("reports no serious or critical accessibility violation and no page error", () => {
    expect(Object.fromEntries(accessibility)).toEqual(
      Object.fromEntries([...accessibility.keys()].map((name) => [name, []])),
    );
    expect(browserErrors).toEqual([]);
  });
});
