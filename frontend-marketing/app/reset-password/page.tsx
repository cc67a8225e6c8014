import type { Metadata } from "next";
import { ResetPasswordPage } from "../../src/screens/reset-password";

export const metadata: Metadata = { title: "Choose a new password" };

export default function Page() {
  return <ResetPasswordPage />;
}
