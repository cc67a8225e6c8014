import { IntegrationsSection } from "../../../../../src/settings/integrations-section";

export default function Page() {
  return <IntegrationsSection />;
}
