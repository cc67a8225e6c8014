import { ProvidersSection } from "../../../../../src/settings/providers-section";

export default function Page() {
  return <ProvidersSection />;
}
