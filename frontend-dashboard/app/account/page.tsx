import { AccountScreen } from "../../src/account/account-screen";

export const metadata = { title: "Account" };

export default function Page() {
  return <AccountScreen />;
}
