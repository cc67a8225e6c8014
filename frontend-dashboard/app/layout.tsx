import { RootLayout } from "@nora/ui";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "@nora/ui/styles.css";
import { SessionGate } from "../src/session";
import { DashboardHeader } from "../src/shell/dashboard-header";

export const metadata: Metadata = {
  title: { default: "Dashboard", template: "%s · Nora" },
  description: "The Nora operator dashboard.",
};

export default function Layout({ children }: { children: ReactNode }) {
  return (
    <RootLayout header={<DashboardHeader />}>
      <SessionGate>{children}</SessionGate>
    </RootLayout>
  );
}
