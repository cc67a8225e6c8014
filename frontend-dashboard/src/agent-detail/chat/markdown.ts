import { Marked, type Tokens } from "marked";

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/** Only web and mail links; `javascript:`, `data:` and the rest become plain text. */
function safeHref(href: string): string | null {
  try {
    const url = new URL(href, "https://relative.invalid/");
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? href : null;
  } catch {
    return null;
  }
}

/**
 * Markdown from the agent (untrusted) to HTML with no raw HTML in it: HTML blocks and inline tags are
 * shown as text, links keep only safe schemes and open outside, images are shown as links.
 */
const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
    link(token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      const href = safeHref(token.href);
      if (!href) return text;
      return `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" target="_blank">${text}</a>`;
    },
    image(token: Tokens.Image) {
      const href = safeHref(token.href);
      const label = escapeHtml(token.text || "image");
      return href
        ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow" target="_blank">${label}</a>`
        : label;
    },
  },
});

export function renderMarkdown(source: string): string {
  return marked.parse(source) as string;
}
