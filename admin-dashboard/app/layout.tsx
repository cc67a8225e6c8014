import { RootLayout } from "@nora/ui";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "@nora/ui/styles.css";

export const metadata: Metadata = {
  title: "Nora administration",
  description: "Platform administration for Nora: users, workspaces, queues and audit.",
};

export default function Layout({ children }: { children: ReactNode }) {
  return <RootLayout>{children}</RootLayout>;
}
