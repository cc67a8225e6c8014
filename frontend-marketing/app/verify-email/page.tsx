import type { Metadata } from "next";
import { VerifyEmailPage } from "../../src/screens/verify-email";

export const metadata: Metadata = { title: "Verify your email" };

export default function Page() {
  return <VerifyEmailPage />;
}
