import { describe, expect, it } from "vitest";
import { one, render } from "../test/render.js";
import { MAIN_CONTENT_ID, RootLayout } from "./layout.js";
import { THEME_INIT_SCRIPT } from "./theme.js";

describe("RootLayout", () => {
  it("sets the language, links past the header to the main landmark, and follows the system theme", () => {
    const root = render(
      <RootLayout header={<nav aria-label="Primary">menu</nav>}>
        <h1>Nora</h1>
      </RootLayout>,
    );
    const html = one(root, "html");
    expect(html.getAttribute("lang")).toBe("en");
    expect(html.hasAttribute("data-theme")).toBe(false);

    const body = one(root, "body");
    const skip = body.childNodes[0] as ReturnType<typeof one>;
    expect(skip.tagName).toBe("A");
    expect(skip.getAttribute("href")).toBe(`#${MAIN_CONTENT_ID}`);
    expect(skip.text).toBe("Skip to content");

    const main = one(root, "main");
    expect(main.id).toBe(MAIN_CONTENT_ID);
    // Focusable by script only, so following the skip link moves focus, not just the scroll position.
    expect(main.getAttribute("tabindex")).toBe("-1");
    expect(one(main, "h1").text).toBe("Nora");
    expect(root.querySelector("main nav")).toBeNull();
    expect(one(root, "nav").text).toBe("menu");
  });

  it("forces a theme and another language when asked", () => {
    const html = one(
      render(
        <RootLayout theme="dark" lang="de" skipLinkLabel="Zum Inhalt">
          x
        </RootLayout>,
      ),
      "html",
    );
    expect(html.getAttribute("data-theme")).toBe("dark");
    expect(html.getAttribute("lang")).toBe("de");
    expect(one(html, ".nora-skip-link").text).toBe("Zum Inhalt");
  });

  it("applies a stored theme choice in <head> before the first paint, unless the app forces one", () => {
    const system = render(<RootLayout>x</RootLayout>);
    expect(one(system, "head script").text).toBe(THEME_INIT_SCRIPT);
    expect(one(system, "html").hasAttribute("suppresshydrationwarning")).toBe(false);
    expect(render(<RootLayout theme="light">x</RootLayout>).querySelector("head script")).toBeNull();
  });

  it("includes the toast live region from the first paint", () => {
    const root = render(<RootLayout>x</RootLayout>);
    expect(one(root, "body [role=status]").getAttribute("aria-live")).toBe("polite");
  });
});
