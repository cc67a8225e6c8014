import type { Metadata } from "next";
import { SignupPage } from "../../src/screens/signup";

export const metadata: Metadata = { title: "Create an account" };

export default function Page() {
  return <SignupPage />;
}
