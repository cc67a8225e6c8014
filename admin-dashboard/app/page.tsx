import { AdminOverview } from "../src/overview";

export default function AdminPage() {
  return <AdminOverview />;
}
