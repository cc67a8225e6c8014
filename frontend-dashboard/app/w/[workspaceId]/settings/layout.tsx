import type { ReactNode } from "react";
import { SettingsNav } from "../../../../src/settings/settings-nav";

export const metadata = { title: "Workspace settings" };

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <SettingsNav />
      {children}
    </>
  );
}
