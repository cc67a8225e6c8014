export default function AdminPage() {
  return (
    <>
      <h1>Nora administration</h1>
      <p>
        Platform administration for Nora: manage users and workspaces, inspect and retry failed jobs, and
        review the audit log.
      </p>
      <p>
        <a href="/">Back to the Nora home page</a>
      </p>
    </>
  );
}
