import { AuditSection } from "../../../../../src/settings/audit-section";

export default function Page() {
  return <AuditSection />;
}
