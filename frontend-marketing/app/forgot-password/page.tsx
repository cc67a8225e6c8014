import type { Metadata } from "next";
import { ForgotPasswordPage } from "../../src/screens/forgot-password";

export const metadata: Metadata = { title: "Reset your password" };

export default function Page() {
  return <ForgotPasswordPage />;
}
