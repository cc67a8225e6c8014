import { SettingsTab } from "../../../../../../src/agent-detail/settings-tab";

export default function Page() {
  return <SettingsTab />;
}
