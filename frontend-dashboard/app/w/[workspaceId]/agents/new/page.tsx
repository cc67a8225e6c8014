import { DeployWizardScreen } from "../../../../../src/deploy/deploy-wizard-screen";

export const metadata = { title: "Deploy an agent" };

export default function DeployPage() {
  return <DeployWizardScreen />;
}
