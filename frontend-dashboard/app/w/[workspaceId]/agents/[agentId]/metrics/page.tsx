import { MetricsTab } from "../../../../../../src/agent-detail/metrics-tab";

export default function Page() {
  return <MetricsTab />;
}
