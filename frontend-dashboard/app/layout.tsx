import { RootLayout } from "@nora/ui";
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "@nora/ui/styles.css";

export const metadata: Metadata = {
  title: "Nora dashboard",
  description: "The Nora operator workspace: deploy, watch and manage AI agent runtimes.",
};

export default function Layout({ children }: { children: ReactNode }) {
  return <RootLayout>{children}</RootLayout>;
}
