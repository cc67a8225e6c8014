export default function HomePage() {
  return (
    <>
      <h1>Nora</h1>
      <p>
        A self-hosted control plane for AI agent runtimes: deploy agents on Docker or Kubernetes, keep them
        healthy, back them up and watch them from your browser.
      </p>
      <nav aria-label="Nora applications">
        <ul>
          <li>
            <a href="/app">Open the operator dashboard</a>
          </li>
          <li>
            <a href="/admin">Open platform administration</a>
          </li>
        </ul>
      </nav>
    </>
  );
}
