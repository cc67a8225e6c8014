import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

describe("chat markdown", () => {
  it("renders markdown", () => {
    const html = renderMarkdown("**bold** and `code`\n\n- one\n- two");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<code>code</code>");
    expect(html).toContain("<li>one</li>");
  });

  it("never passes raw HTML or unsafe links through", () => {
    const html = renderMarkdown(
      "<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)> [x](javascript:alert(1)) ![p](data:text/html,1) [ok](https://example.org)",
    );
    expect(html).not.toMatch(/<script|<img|javascript:|data:text/);
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain(
      '<a href="https://example.org" rel="noopener noreferrer nofollow" target="_blank">ok</a>',
    );
  });
});
