import type { Metadata } from "next";
import { KeysPage } from "../../src/keys/keys-page";

export const metadata: Metadata = { title: "Encryption keys" };

export default function Page() {
  return <KeysPage />;
}
