import { LogsTab } from "../../../../../../src/agent-detail/logs-tab";

export default function Page() {
  return <LogsTab />;
}
