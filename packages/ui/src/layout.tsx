import type { ReactNode } from "react";
import { THEME_INIT_SCRIPT } from "./theme.js";
import { ToastProvider } from "./toast.js";

export type Theme = "light" | "dark" | "system";

export const MAIN_CONTENT_ID = "nora-main";

export interface RootLayoutProps {
  children: ReactNode;
  /** The document language; English unless the app says otherwise. */
  lang?: string;
  /**
   * `system` (the default) follows `prefers-color-scheme`, or the choice a `ThemeToggle` stored (applied
   * by an inline script before the first paint); `light`/`dark` force `data-theme` on <html>.
   */
  theme?: Theme;
  /** Banner and navigation, rendered before the main landmark (after the skip link). */
  header?: ReactNode;
  skipLinkLabel?: string;
}

/**
 * The root layout of every Nora app: <html>/<body>, a skip link to the main landmark, the theme and
 * the toast region (present from the first paint, so screen readers announce what it later receives).
 */
export function RootLayout({
  children,
  lang = "en",
  theme = "system",
  header,
  skipLinkLabel = "Skip to content",
}: RootLayoutProps) {
  return (
    // The init script may set data-theme before React hydrates: that one attribute is expected to differ.
    <html lang={lang} data-theme={theme === "system" ? undefined : theme} suppressHydrationWarning>
      {theme === "system" ? (
        <head>
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant of this package, no input */}
          <script dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }} />
        </head>
      ) : null}
      <body>
        <a className="nora-skip-link" href={`#${MAIN_CONTENT_ID}`}>
          {skipLinkLabel}
        </a>
        <ToastProvider>
          {header}
          <main id={MAIN_CONTENT_ID} className="nora-main" tabIndex={-1}>
            {children}
          </main>
        </ToastProvider>
      </body>
    </html>
  );
}
