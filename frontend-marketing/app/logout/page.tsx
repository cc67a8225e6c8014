import type { Metadata } from "next";
import { LogoutPage } from "../../src/screens/logout";

export const metadata: Metadata = { title: "Sign out" };

export default function Page() {
  return <LogoutPage />;
}
