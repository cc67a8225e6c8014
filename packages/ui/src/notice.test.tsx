import { describe, expect, it } from "vitest";
import { one, render } from "../test/render.js";
import { ButtonLink } from "./button-link.js";
import { Notice } from "./notice.js";

describe("Notice", () => {
  it("says its tone in words, not by colour alone, and is a live status only when asked", () => {
    const root = render(
      <Notice tone="warning" title="This server is not accepting new accounts">
        <p>Ask the administrator.</p>
      </Notice>,
    );
    const notice = one(root, ".nora-notice");
    expect(notice.classList.contains("nora-notice--warning")).toBe(true);
    expect(notice.hasAttribute("role")).toBe(false);
    expect(one(notice, ".nora-notice-title").text).toBe("Warning: This server is not accepting new accounts");
    expect(one(notice, ".nora-notice-icon").getAttribute("aria-hidden")).toBe("true");
    expect(one(notice, ".nora-notice-body").text).toBe("Ask the administrator.");

    const outcome = one(
      render(<Notice tone="success" title="Check your email" role="status" />),
      ".nora-notice",
    );
    expect(outcome.getAttribute("role")).toBe("status");
    expect(outcome.querySelector(".nora-notice-body")).toBeNull();
  });
});

describe("ButtonLink", () => {
  it("is a link with a button's classes", () => {
    const link = one(
      render(
        <ButtonLink href="/claim" size="lg">
          Claim this server
        </ButtonLink>,
      ),
      "a",
    );
    expect(link.getAttribute("href")).toBe("/claim");
    expect(link.classList.contains("nora-button--primary")).toBe(true);
    expect(link.classList.contains("nora-button--lg")).toBe(true);
    expect(link.text).toBe("Claim this server");
  });
});
