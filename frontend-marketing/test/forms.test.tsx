import type { BootstrapStatus } from "@nora/api-client";
import { parse } from "node-html-parser";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AccountForm, accountDetails, validateAccount } from "../src/account-form";
import { CAPTCHA_SCRIPTS } from "../src/captcha";
import { fragmentParam, nextPath, oauthErrorMessage } from "../src/navigation";
import { OAuthButtons } from "../src/oauth-buttons";

const STATUS: BootstrapStatus = {
  needsClaim: false,
  signup: { mode: "open", newAccounts: "open" },
  signIn: { password: true, github: false, google: false },
  captcha: null,
  passwordReset: true,
};

const render = (element: React.ReactElement) => parse(renderToStaticMarkup(element));
const noop = async () => null;

describe("where a sign-in lands", () => {
  it("follows `next` only into the dashboard or the admin app on this origin", () => {
    expect(nextPath("/app/agents/7?tab=logs")).toBe("/app/agents/7?tab=logs");
    expect(nextPath("/admin")).toBe("/admin");
    for (const hostile of [
      null,
      "",
      "https://evil.example/app",
      "//evil.example/app",
      "/\\evil.example",
      "/app\\..\\",
      "/application",
      "/login",
      "javascript:alert(1)",
      `/app/${"x".repeat(3000)}`,
    ]) {
      expect(nextPath(hostile), String(hostile)).toBe("/app");
    }
  });

  it("reads tokens from the fragment, and explains an OAuth failure code in words", () => {
    expect(fragmentParam("#token=abc&email=bo%40example.org", "email")).toBe("bo@example.org");
    expect(fragmentParam("", "token")).toBeNull();
    expect(oauthErrorMessage("oauth_signup_closed")).toBe("This server is not accepting new accounts.");
    expect(oauthErrorMessage("something_new")).toBe(oauthErrorMessage("oauth_failed"));
    expect(oauthErrorMessage(null)).toBeUndefined();
  });
});

describe("the account form", () => {
  it("refuses before sending: required fields, the password rules, a missing captcha token", () => {
    expect(validateAccount({ email: "", password: "" }, false)).toEqual({
      fields: { email: "Enter your email address", password: "Choose a password" },
      form: [],
    });
    expect(validateAccount({ email: "a@example.org", password: "password123" }, false).fields).toEqual({
      password: "The password does not meet the rules above",
    });
    expect(validateAccount({ email: "a@example.org", password: "a long passphrase 42" }, true)).toEqual({
      fields: {},
      form: ["Complete the captcha first"],
    });
    expect(
      validateAccount({ email: "a@example.org", password: "a long passphrase 42", captchaToken: "t" }, true),
    ).toEqual({ fields: {}, form: [] });
  });

  it("sends only what was typed", () => {
    expect(
      accountDetails({ email: "a@example.org", password: "p", displayName: "  ", captchaToken: "" }),
    ).toEqual({
      email: "a@example.org",
      password: "p",
    });
    expect(
      accountDetails({ email: "a@example.org", password: "p", displayName: " Ana ", captchaToken: "t" }),
    ).toEqual({ email: "a@example.org", password: "p", displayName: "Ana", captchaToken: "t" });
  });

  it("shows the captcha widget only when the server has one configured", () => {
    const props = { create: noop, onCreated: () => {}, submitLabel: "Create account", failureTitle: "x" };
    const without = render(<AccountForm status={STATUS} {...props} />);
    expect(without.querySelector("[data-captcha-provider]")).toBeNull();
    expect(without.querySelector("input[name=captchaToken]")).toBeNull();

    const captcha = { provider: "turnstile", siteKey: "0x4AAAAAAA" } as const;
    const withCaptcha = render(<AccountForm status={{ ...STATUS, captcha }} {...props} />);
    expect(withCaptcha.querySelector("[data-captcha-provider=turnstile]")).not.toBeNull();
    expect(withCaptcha.querySelector("input[type=hidden][name=captchaToken]")).not.toBeNull();
    expect(CAPTCHA_SCRIPTS.turnstile).toMatch(/^https:\/\/challenges\.cloudflare\.com\/.*render=explicit$/);
  });

  it("lists the password rules under a new password, and prefills an invitation's address", () => {
    const root = render(
      <AccountForm
        status={STATUS}
        create={noop}
        onCreated={() => {}}
        submitLabel="Create account"
        failureTitle="x"
        email="bo@example.org"
      />,
    );
    expect(root.querySelector("ul[aria-label='Password rules']")?.querySelectorAll("li")).toHaveLength(3);
    expect(root.querySelector("input[name=email]")?.getAttribute("value")).toBe("bo@example.org");
    expect(root.querySelector("form")?.hasAttribute("novalidate")).toBe(true);
  });
});

describe("OAuth buttons", () => {
  it("are there only for the providers the server enabled, each a link to its start route", () => {
    expect(renderToStaticMarkup(<OAuthButtons status={STATUS} />)).toBe("");
    const root = render(
      <OAuthButtons status={{ ...STATUS, signIn: { password: true, github: true, google: false } }} />,
    );
    const links = root.querySelectorAll("a");
    expect(links.map((a) => [a.getAttribute("href"), a.text])).toEqual([
      ["/api/auth/oauth/github/start", "Continue with GitHub"],
    ]);
  });
});
