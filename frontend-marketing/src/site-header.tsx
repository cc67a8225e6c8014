import { ThemeToggle } from "@nora/ui";
import Link from "next/link";

/** The banner of every page: the name (home), the sign-in link, and the theme choice. */
export function SiteHeader() {
  return (
    <header className="nora-site-header">
      <div className="nora-site-header-inner">
        <Link href="/" className="nora-site-brand">
          Nora
        </Link>
        <nav aria-label="Account" className="nora-site-nav">
          <Link href="/login">Sign in</Link>
          <ThemeToggle />
        </nav>
      </div>
    </header>
  );
}
