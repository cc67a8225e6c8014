import { RootLayout } from "@nora/ui";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "@nora/ui/styles.css";

export const metadata: Metadata = {
  title: "Nora",
  description: "Nora is a self-hosted control plane for AI agent runtimes.",
};

export default function Layout({ children }: { children: ReactNode }) {
  return <RootLayout>{children}</RootLayout>;
}
