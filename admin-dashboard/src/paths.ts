/** The admin app's sections, under its basePath `/admin` (Next's <Link> adds it). */
export const SECTIONS = [
  { path: "/users", label: "Users" },
  { path: "/settings", label: "Settings" },
  { path: "/fleet", label: "Fleet" },
  { path: "/audit", label: "Audit" },
  { path: "/queues", label: "Queues" },
  { path: "/keys", label: "Encryption keys" },
  { path: "/clusters", label: "Clusters" },
] as const;

/** The operator dashboard (another app: a full navigation). */
export const DASHBOARD_URL = "/app";

/** The marketing app's sign-in page, coming back here after. */
export function signInUrl(returnTo: string): string {
  return `/login?next=${encodeURIComponent(returnTo)}`;
}
