import { OpenWorkspace } from "../src/workspace/open-workspace";

export default function DashboardHome() {
  return <OpenWorkspace />;
}
