import { RootLayout } from "@nora/ui";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "@nora/ui/styles.css";
import { paths } from "../src/paths";
import { SessionGate } from "../src/session";
import { DashboardHeader } from "../src/shell/dashboard-header";

export const metadata: Metadata = {
  title: { default: "Dashboard", template: "%s · Nora" },
  description: "The Nora operator dashboard.",
};

/** The invitation page sends a visitor without an account to signup, not to the sign-in page. */
const OPEN_PATHS = [paths.acceptInvitation()];

export default function Layout({ children }: { children: ReactNode }) {
  return (
    <RootLayout header={<DashboardHeader />}>
      <SessionGate openPaths={OPEN_PATHS}>{children}</SessionGate>
    </RootLayout>
  );
}
