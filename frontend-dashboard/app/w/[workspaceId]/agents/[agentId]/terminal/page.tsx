import { TerminalTab } from "../../../../../../src/agent-detail/terminal-tab";

export default function Page() {
  return <TerminalTab />;
}
