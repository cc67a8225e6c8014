export default function DashboardPage() {
  return (
    <>
      <h1>Nora dashboard</h1>
      <p>
        The operator workspace: deploy agents, follow their logs and metrics, open a terminal or a chat, and
        manage backups, integrations and alerts.
      </p>
      <p>
        <a href="/">Back to the Nora home page</a>
      </p>
    </>
  );
}
