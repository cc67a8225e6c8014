import Link from "next/link";
import { SECTIONS } from "./paths";

const DESCRIPTIONS: Record<(typeof SECTIONS)[number]["path"], string> = {
  "/users": "Find accounts, change platform roles, disable or enable users.",
  "/settings": "Who may create an account on this server.",
  "/fleet": "Every agent across workspaces; restart, stop or redeploy many at once.",
  "/audit": "What happened, who did it, from where; export as CSV.",
  "/queues": "Jobs that failed for good, with their reasons; retry them.",
  "/keys": "Which encryption key seals the stored secrets; re-seal under the current key.",
  "/clusters": "The Kubernetes clusters agents can be deployed to.",
};

/** The admin app's landing page: one card per section. */
export function AdminOverview() {
  return (
    <>
      <h1>Administration</h1>
      <ul className="nora-admin-grid">
        {SECTIONS.map((section) => (
          <li key={section.path}>
            <h2>
              <Link href={section.path}>{section.label}</Link>
            </h2>
            <p>{DESCRIPTIONS[section.path]}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
