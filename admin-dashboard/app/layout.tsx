import { RootLayout } from "@nora/ui";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "@nora/ui/styles.css";
import { AdminGate } from "../src/session";
import { AdminHeader } from "../src/shell/admin-header";

export const metadata: Metadata = {
  title: { default: "Administration", template: "%s · Nora admin" },
  description: "Platform administration for Nora: users, fleet, queues, keys, clusters and audit.",
};

export default function Layout({ children }: { children: ReactNode }) {
  return (
    <RootLayout header={<AdminHeader />}>
      <AdminGate>{children}</AdminGate>
    </RootLayout>
  );
}
