import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Config, Keyring } from "@nora/core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, chromiumMissing, launchChromium } from "../../frontend-marketing/test/browser.js";
import {
  REPO_ROOT,
  STACK_ENCRYPTION_KEY,
  type Stack,
  startStack,
} from "../../frontend-marketing/test/stack.js";
import { RUNTIME_TOKEN, type RuntimeServer, startRuntimeServer } from "./runtime-process.js";

/**
 * The agent detail's live tabs in Debian's Chromium, through nginx, against the real API and a real
 * runtime server process (the port 9090 contract: its log, PTY terminal, files and metrics). The agent
 * row is written as the provisioner would (sealed runtime token), pointing at that runtime; it has no
 * gateway, so the Chat tab is checked on the API's refusal (shown with its request id).
 */
const SHOTS = join(REPO_ROOT, "frontend-dashboard", "test-artifacts", "screenshots");
const skip = chromiumMissing;

describe.skipIf(skip)("agent live tabs in Chromium through nginx, against a real runtime", () => {
  let runtime: RuntimeServer;
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let base: string;
  const accessibility = new Map<string, string[]>();
  const shoot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const audit = async (name: string, scope?: string) =>
    accessibility.set(name, await axeViolations(page, scope));

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    runtime = await startRuntimeServer([
      "sh",
      "-c",
      'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.3; done',
    ]);
    await writeFile(join(runtime.workspaceDir, "notes.md"), "first line\n");
    stack = await startStack({ apiEnv: { GATEWAY_ALLOWED_PORTS: String(runtime.port) } });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await context.route(/.*/, (route) =>
      route.request().url().startsWith(stack.url) ? route.continue() : route.abort(),
    );

    // An account, signed in with its HttpOnly cookie, and a workspace it owns.
    await page.goto(`${stack.url}/`);
    const workspaceId = await page.evaluate(async () => {
      const post = (path: string, body: unknown) =>
        fetch(path, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const account = { email: "lia@example.org", password: "a long passphrase 42", displayName: "Lia" };
      const answers = [
        await post("/api/auth/signup", account),
        await post("/api/auth/login", { email: account.email, password: account.password }),
        await post("/api/workspaces", { name: "Live" }),
      ];
      const bodies = await Promise.all(answers.map((a) => a.text()));
      const created = JSON.parse(bodies[2] ?? "{}") as { workspace?: { id: string } };
      if (!created.workspace)
        throw new Error(`setup failed: ${answers.map((a, i) => `${a.status} ${bodies[i]}`).join(" | ")}`);
      return created.workspace.id;
    });
    const { rows } = await stack.db.pool.query<{ id: string }>(
      `INSERT INTO agents (workspace_id, name, status, runtime_family, runtime_url)
       VALUES ($1, 'live-agent', 'running', 'openclaw', $2) RETURNING id`,
      [workspaceId, `http://127.0.0.1:${runtime.port}`],
    );
    const agentId = rows[0]?.id as string;
    const keyring = Keyring.fromConfig({
      secrets: {
        encryptionKey: STACK_ENCRYPTION_KEY,
        previousEncryptionKeys: [],
        allowPlaintextSecrets: false,
      },
    } as unknown as Config);
    await stack.db.pool.query("UPDATE agents SET runtime_token_sealed = $2 WHERE id = $1", [
      agentId,
      keyring.seal(RUNTIME_TOKEN, { table: "agents", column: "runtime_token_sealed", rowId: agentId }),
    ]);
    base = `${stack.url}/app/w/${workspaceId}/agents/${agentId}`;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await runtime?.stop();
  });

  it("Logs: tails and follows the agent's output live, filters with highlight, pauses with a count", async () => {
    await page.goto(`${base}/logs`);
    const log = page.getByRole("log", { name: "Log lines" });
    await log
      .getByText(/tick \d+/)
      .first()
      .waitFor();
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    await page.getByRole("searchbox", { name: "Search" }).fill("tick 1");
    await log.locator("mark").first().waitFor();
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByRole("button", { name: /Resume \([1-9]\d* waiting\)/ }).waitFor();
    await shoot("logs");
    await audit("logs");
    await page.getByRole("button", { name: /Resume/ }).click();
  });

  it("Terminal: runs `echo` in a real shell over the terminal stream", async () => {
    await page.goto(`${base}/terminal`);
    await page.locator(".xterm").waitFor();
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    await page.locator(".xterm").click();
    await page.keyboard.type("echo hello-$((6*7))\n");
    await page.locator(".xterm-rows").getByText("hello-42").first().waitFor();
    await shoot("terminal");
    await audit("terminal");
    await page.keyboard.type("exit 3\n");
    await page.getByText("The shell exited with status 3.").waitFor();
    await page.getByRole("button", { name: "New session" }).waitFor();
  });

  it("Files: opens a file, edits it, saves it to the agent; a bad path is refused inline", async () => {
    await page.goto(`${base}/files`);
    await page.getByRole("button", { name: "notes.md", exact: true }).click();
    const text = page.getByLabel("Content of workspace/notes.md");
    await expect(text.inputValue()).resolves.toBe("first line\n");
    await text.fill("first line\nedited in the browser\n");
    await page.getByText("(unsaved changes)").waitFor();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved notes.md").waitFor();
    expect(await readFile(join(runtime.workspaceDir, "notes.md"), "utf8")).toBe(
      "first line\nedited in the browser\n",
    );
    await shoot("files");
    await audit("files");

    await page.getByRole("button", { name: "Rename notes.md" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("New path (inside the root)").fill("../escape.md");
    await dialog.getByRole("button", { name: "Move" }).click();
    await dialog.getByText("Paths may not contain '..'").waitFor();
    await shoot("files-refused-path");
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // Upload as the raw body, then delete it behind the confirm-by-typing dialog.
    await page.locator("input[type=file]").setInputFiles({
      name: "uploaded.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("sent from Chromium\n"),
    });
    await page.getByText("Uploaded uploaded.txt").waitFor();
    expect(await readFile(join(runtime.workspaceDir, "uploaded.txt"), "utf8")).toBe("sent from Chromium\n");
    await page.getByRole("button", { name: "Delete uploaded.txt" }).click();
    const confirm = page.getByRole("alertdialog");
    await confirm.getByRole("textbox").fill("uploaded.txt");
    await confirm.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "uploaded.txt", exact: true }).waitFor({ state: "detached" });
    expect(existsSync(join(runtime.workspaceDir, "uploaded.txt"))).toBe(false);
  });

  it("Metrics: charts the runtime's readings and says the latest values in words", async () => {
    await page.goto(`${base}/metrics`);
    await page.getByRole("img", { name: "CPU (% of one core) over time" }).waitFor({ timeout: 15_000 });
    // A second reading draws a line (the first is a dot).
    await page.locator('.nora-chart path[d*="L"]').first().waitFor({ timeout: 15_000 });
    const summary = page.locator(".nora-metrics-summary");
    await summary
      .getByText(/MiB|GiB/)
      .first()
      .waitFor();
    await shoot("metrics");
    await audit("metrics");
  });

  it("Chat: an agent without a recorded gateway is refused, the reason shown with the request id", async () => {
    await page.goto(`${base}/chat`);
    const alert = page.getByRole("alert").filter({ hasText: "Could not load the chat sessions" });
    await alert.waitFor();
    expect(await alert.locator("code").textContent()).toMatch(/\S/);
    const composer = page.getByRole("textbox", { name: "Message" });
    await composer.fill("hello agent");
    const refused = page.waitForResponse(
      (res) => res.url().endsWith("/chat") && res.request().method() === "POST",
    );
    await page.getByRole("button", { name: "Send" }).click();
    const answer = await refused;
    expect(answer.status()).toBeGreaterThanOrEqual(400);
    const sendAlert = page.getByRole("alert").filter({ hasText: "Could not send the message" });
    await sendAlert.waitFor();
    expect(await sendAlert.locator("code").textContent()).toBe(answer.headers()["x-request-id"]);
    // The message is given back to edit and resend.
    await expect(composer.inputValue()).resolves.toBe("hello agent");
    await shoot("chat");
    await audit("chat");
    await page.getByRole("radio", { name: "Dark" }).check();
    await shoot("chat-dark");
    // The tab itself: the header's workspace switcher (src/shell, not these tabs) is audited in light.
    await audit("chat dark", ".nora-live-tab");
    await page.getByRole("radio", { name: "Light" }).check();
  });

  it("a viewer sees what it may not do disabled, with the reason", async () => {
    const { rowCount } = await stack.db.pool.query("UPDATE workspace_members SET role = 'viewer'");
    expect(rowCount).toBe(1);
    await page.goto(`${base}/terminal`);
    await page.getByText("The terminal needs the editor role").waitFor();
    expect(await page.getByRole("button", { name: "Open a shell" }).getAttribute("aria-disabled")).toBe(
      "true",
    );
    expect(await page.locator(".xterm").count()).toBe(0);
    await shoot("viewer-terminal");
    await audit("viewer terminal");

    await page.goto(`${base}/files`);
    await page.getByText("Changing files needs the editor role.").first().waitFor();
    expect(await page.getByRole("button", { name: "New directory" }).getAttribute("aria-disabled")).toBe(
      "true",
    );

    await page.goto(`${base}/chat`);
    await page.getByText(/Sending needs the editor role/).waitFor();
    await expect(page.getByRole("textbox", { name: "Message" }).isDisabled()).resolves.toBe(true);
    await shoot("viewer-chat");
    await audit("viewer chat");
  });

  it("has no serious or critical axe-core violation on any tab", () => {
    expect(Object.fromEntries(accessibility)).toEqual(
      Object.fromEntries([...accessibility.keys()].map((name) => [name, []])),
    );
  });
});
