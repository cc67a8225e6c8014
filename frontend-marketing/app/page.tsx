import { HomeActions } from "../src/screens/home-actions";

const FEATURES = [
  {
    title: "Deploy agents where you run things",
    text: "OpenClaw and Hermes runtimes on Docker or Kubernetes, picked from a catalog: runtime, target, sandbox profile, resources, model provider.",
  },
  {
    title: "Keep them healthy",
    text: "Nora records what should run, provisions it through workers, restarts what fails, backs it up and alerts you when something goes wrong.",
  },
  {
    title: "See inside from your browser",
    text: "Live status, logs, a terminal, files, metrics and chat for every agent, without opening a port on it.",
  },
  {
    title: "Script it",
    text: "Everything the dashboard does goes through one HTTP API; scripts use scoped, expiring API keys.",
  },
];

const SECURITY = [
  [
    "It runs on your machines.",
    "Nora contacts nothing you did not configure: no telemetry, no phoning home. Agents reach the network only as their sandbox profile allows.",
  ],
  [
    "The first account owns the server.",
    "Whoever claims a fresh server becomes its administrator and decides who else may sign up: anyone, only people invited, or no one.",
  ],
  [
    "People get the access their role gives.",
    "In each workspace a member is a viewer, editor, admin or owner; the API checks the role on every request, whatever the page shows.",
  ],
  [
    "Secrets are locked away.",
    "Provider keys and credentials are encrypted in the database; API keys are stored only as hashes and shown once, when created.",
  ],
  [
    "Your browser holds no tokens.",
    "You stay signed in through an HttpOnly session cookie that scripts on the page cannot read; no token or password is ever kept in the browser's storage.",
  ],
  [
    "Agents are reached one way.",
    "Every call into an agent goes through Nora's gateway, which looks up where the agent runs and sends its own per-agent token.",
  ],
  [
    "Everything is on the record.",
    "Sign-ins, role changes, deployments and key operations land in an append-only audit log.",
  ],
] as const;

export default function HomePage() {
  return (
    <>
      <section className="nora-hero" aria-labelledby="hero-title">
        <h1 id="hero-title">Run your AI agents on your own servers</h1>
        <p className="nora-lead">
          Nora is a self-hosted control plane for AI agent runtimes. Deploy an agent into a workspace, and
          Nora keeps it running, backed up and in view: logs, a terminal, files, metrics and chat, in your
          browser.
        </p>
        <HomeActions />
      </section>

      <section aria-labelledby="what-title" className="nora-section">
        <h2 id="what-title">What Nora does</h2>
        <ul className="nora-features">
          {FEATURES.map((feature) => (
            <li key={feature.title} className="nora-feature">
              <h3>{feature.title}</h3>
              <p>{feature.text}</p>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="security-title" className="nora-section">
        <h2 id="security-title">How it keeps things safe</h2>
        <dl className="nora-facts">
          {SECURITY.map(([fact, detail]) => (
            <div key={fact} className="nora-fact">
              <dt>{fact}</dt>
              <dd>{detail}</dd>
            </div>
          ))}
        </dl>
      </section>
    </>
  );
}
