import type { ReactNode } from "react";
import { ToastProvider } from "./toast.js";

export type Theme = "light" | "dark" | "system";

export const MAIN_CONTENT_ID = "nora-main";

export interface RootLayoutProps {
  children: ReactNode;
  /** The document language; English unless the app says otherwise. */
  lang?: string;
  /** `system` (the default) follows `prefers-color-scheme`; `light`/`dark` set `data-theme` on <html>. */
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
    <html lang={lang} data-theme={theme === "system" ? undefined : theme}>
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
