import { RootLayout } from "@nora/ui";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "@nora/ui/styles.css";
import { SiteHeader } from "../src/site-header";

export const metadata: Metadata = {
  title: { default: "Nora", template: "%s · Nora" },
  description: "Nora is a self-hosted control plane for AI agent runtimes.",
};

export default function Layout({ children }: { children: ReactNode }) {
  return <RootLayout header={<SiteHeader />}>{children}</RootLayout>;
}
