import { FilesTab } from "../../../../../../src/agent-detail/files-tab";

export default function Page() {
  return <FilesTab />;
}
