import type { Metadata } from "next";
import { ClaimPage } from "../../src/screens/claim";

export const metadata: Metadata = { title: "Claim this server" };

export default function Page() {
  return <ClaimPage />;
}
