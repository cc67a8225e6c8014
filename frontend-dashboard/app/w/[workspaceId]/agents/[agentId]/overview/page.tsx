import { OverviewTab } from "../../../../../../src/agent-detail/overview-tab";

export default function Page() {
  return <OverviewTab />;
}
