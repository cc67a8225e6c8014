import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, chromiumMissing, chromiumNote, launchChromium } from "./browser.js";
import { REPO_ROOT, type Stack, startStack } from "./stack.js";

/**
 * The marketing app in Debian's Chromium, through the repository's nginx.conf in front of the built
 * API and apps: claim a fresh server, sign out, sign in again. Screenshots land in
 * frontend-marketing/test-artifacts/ (gitignored); axe-core checks every page it passes.
 */
const ARTIFACTS = join(REPO_ROOT, "frontend-marketing", "test-artifacts");
const EMAIL = "ana@example.org";
const PASSWORD = "a long passphrase 42";
// The password input (its label also holds the required marker, hidden from assistive technology).
const PASSWORD_INPUT = "#nora-main input[name=password]";

const skip = chromiumMissing;
const note = chromiumNote;

describe.skipIf(skip)(`claim → sign out → sign in, in Chromium through nginx${note}`, () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const accessibility = new Map<string, string[]>();
  const browserErrors: string[] = [];

  const shoot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const audit = async (name: string) => accessibility.set(name, await axeViolations(page));

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    stack = await startStack();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    // Fail fast, with the reason, instead of at the test's timeout.
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (error) => browserErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") browserErrors.push(message.text());
    });
    // Nothing but the stack: a request anywhere else fails the test instead of leaving the machine.
    await context.route(/.*/, (route) =>
      route.request().url().startsWith(stack.url) ? route.continue() : route.abort(),
    );
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("offers the claim on a fresh server and shows the password rules as they are typed", async () => {
    await page.goto(`${stack.url}/`);
    const claim = page.getByRole("link", { name: "Claim this server" });
    await claim.waitFor();
    await expect(
      page.getByRole("heading", { level: 2, name: "How it keeps things safe" }).count(),
    ).resolves.toBe(1);
    await shoot("01-landing");
    await audit("landing");

    await claim.click();
    await page.waitForURL(`${stack.url}/claim`);
    const password = page.locator(PASSWORD_INPUT);
    await password.waitFor();
    await password.fill("short");
    const rules = page.getByRole("list", { name: "Password rules" });
    await expect(rules.getByText("Not met: At least 10 characters").count()).resolves.toBe(1);

    // Sent too short, it is refused inline, and focus lands on the field.
    await page.getByRole("textbox", { name: "Email" }).fill(EMAIL);
    await page.getByRole("button", { name: "Claim this server" }).click();
    await page.locator("#nora-main .nora-field-error").first().waitFor();
    expect(await password.getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("password");
    await shoot("02-claim-refused");
    await audit("claim");

    await password.fill(PASSWORD);
    await expect(rules.getByText(/^Met: /).count()).resolves.toBe(3);
  });

  it("claims the server, lands in the dashboard with an HttpOnly cookie and nothing in storage", async () => {
    await page.getByLabel("Your name").fill("Ana");
    await page.getByRole("button", { name: "Claim this server" }).click();
    await page.waitForURL(`${stack.url}/app`);
    await shoot("03-dashboard-after-claim");

    const cookies = await page.context().cookies();
    const sessionCookie = cookies.find((c) => c.name === "nora_session");
    expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    const stored = await page.evaluate(() => ({
      local: Object.keys(localStorage),
      session: Object.entries(sessionStorage),
    }));
    expect(stored.local.filter((key) => key !== "nora-theme")).toEqual([]);
    // Only the public bootstrap status is kept per tab; no cookie value or user in it.
    for (const [key, value] of stored.session) {
      expect(key).toBe("nora-bootstrap-status");
      expect(value).not.toContain(sessionCookie?.value ?? "<none>");
      expect(value).not.toContain(EMAIL);
    }

    const { rows } = await stack.db.pool.query<{ role: string }>("SELECT role FROM users WHERE email = $1", [
      EMAIL,
    ]);
    expect(rows).toEqual([{ role: "admin" }]);
  });

  it("sends a signed-in visitor from the marketing pages straight to /app", async () => {
    await page.goto(`${stack.url}/login`);
    await page.waitForURL(`${stack.url}/app`);
  });

  it("signs out, and then respects the signup mode (invite by default): no form for strangers", async () => {
    await page.goto(`${stack.url}/logout`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out").waitFor();
    await shoot("04-signed-out");
    await audit("logout");
    expect((await page.context().cookies()).find((c) => c.name === "nora_session")).toBeUndefined();

    await page.goto(`${stack.url}/signup`);
    await page.getByText("Accounts here are by invitation").waitFor();
    expect(await page.getByRole("button", { name: "Create account" }).count()).toBe(0);
    await shoot("05-signup-invite-only");
    await audit("signup");
  });

  it("refuses a wrong password with the API's message and request id, then signs in into /app", async () => {
    await page.getByRole("link", { name: "Sign in", exact: true }).last().click();
    await page.waitForURL(`${stack.url}/login`);
    await page.getByRole("textbox", { name: "Email" }).fill(EMAIL);
    await page.locator(PASSWORD_INPUT).fill("not the password");
    const refused = page.waitForResponse((res) => res.url().endsWith("/api/auth/login"));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    const answer = await refused;
    expect(answer.status()).toBe(401);
    const alert = page.getByRole("alert");
    await alert.getByText("Could not sign in").waitFor();
    await alert.getByText("Email or password is incorrect").waitFor();
    // The id nginx gave the request (and the API logged it under) is the one shown, ready to copy.
    expect(await alert.locator("code").textContent()).toBe(answer.headers()["x-request-id"]);
    expect(await alert.getByRole("button", { name: "Copy request id" }).count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.className)).toContain("nora-form-alert");
    await shoot("06-sign-in-refused");
    await audit("login");

    await page.locator(PASSWORD_INPUT).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${stack.url}/app`);
    expect((await page.context().cookies()).some((c) => c.name === "nora_session")).toBe(true);
  });

  it("switches to the dark theme and keeps the choice across a reload", async () => {
    await page.goto(`${stack.url}/logout`);
    await page.getByRole("radio", { name: "Dark" }).check();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.reload();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await page.getByRole("radio", { name: "Dark" }).isChecked()).toBe(true);
    await shoot("07-dark-theme");
    await audit("dark theme");
  });

  it("has no serious or critical axe-core violation on any page it visited", () => {
    expect(Object.fromEntries(accessibility)).toEqual(
      Object.fromEntries([...accessibility.keys()].map((name) => [name, []])),
    );
    expect(accessibility.size).toBeGreaterThanOrEqual(6);
  });
});
