"use client";

import { agentLifecycleRoutes, providerRoutes } from "@nora/api-contract";
import {
  Button,
  FormAlert,
  type FormErrors,
  formErrorsFrom,
  NO_FORM_ERRORS,
  Notice,
  useLoaded,
} from "@nora/ui";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { api } from "../api";
import { paths } from "../paths";
import { atLeast } from "../roles";
import { useCurrentWorkspace } from "../workspaces";
import { catalogStore, type RuntimeCatalog } from "./catalog";
import { ProfileStep, ResourcesStep, RuntimeStep, TargetStep } from "./wizard-choice-steps";
import { type Provider, ProvidersStep, ReviewStep, TemplateStep } from "./wizard-content-steps";
import {
  checkDeployBody,
  type Draft,
  deployBody,
  initialDraft,
  STEP_LABELS,
  STEPS,
  type Step,
  stepErrors,
  stepOfIssuePath,
} from "./wizard-steps";

/** The deploy wizard: one step at a time, from the catalog's families to a review, then the deploy. */
export function DeployWizardScreen() {
  const workspace = useCurrentWorkspace();
  const catalog = useLoaded(catalogStore);
  if (!workspace) return null;
  if (catalog.state === "failed") {
    return <Notice tone="danger" title="The runtime catalog could not be loaded" />;
  }
  if (catalog.state === "loading") return <p className="nora-loading">Loading the runtime catalog…</p>;
  return (
    <DeployWizard
      workspaceId={workspace.id}
      canDeploy={atLeast(workspace.role, "editor")}
      catalog={catalog.value}
    />
  );
}

export function DeployWizard({
  workspaceId,
  canDeploy,
  catalog,
}: {
  workspaceId: string;
  canDeploy: boolean;
  catalog: RuntimeCatalog;
}) {
  const router = useRouter();
  const [draft, setDraft] = useState<Draft>(() => initialDraft(catalog));
  const [step, setStep] = useState<Step>("runtime");
  const [shownErrors, setShownErrors] = useState<Record<string, string>>({});
  const [apiErrors, setApiErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const [deploying, setDeploying] = useState(false);
  const [providers, setProviders] = useState<readonly Provider[] | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    api.call(providerRoutes.list, { params: { id: workspaceId } }).then(
      (answer) => setProviders(answer.providers),
      () => setProviders([]),
    );
  }, [workspaceId]);

  const index = STEPS.indexOf(step);
  const goTo = (next: Step) => {
    setStep(next);
    setShownErrors({});
    // The new step's heading takes focus, so keyboard and screen-reader users start at its top.
    requestAnimationFrame(() => heading.current?.focus());
  };
  const update = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setShownErrors((errors) => {
      const next = { ...errors };
      for (const key of Object.keys(patch)) delete next[key];
      return next;
    });
  };
  const next = () => {
    const errors = stepErrors(step, draft, catalog);
    if (Object.keys(errors).length > 0) {
      setShownErrors(errors);
      return;
    }
    const following = STEPS[index + 1];
    if (following) goTo(following);
  };

  const deploy = async () => {
    const issues = checkDeployBody(draft);
    if (issues.length > 0) return showIssues(issues);
    setDeploying(true);
    setApiErrors(NO_FORM_ERRORS);
    try {
      const { agent } = await api.call(agentLifecycleRoutes.deploy, {
        params: { id: workspaceId },
        body: deployBody(draft),
      });
      router.push(paths.agent(workspaceId, agent.id, "overview"));
    } catch (error) {
      setDeploying(false);
      const errors = formErrorsFrom(error);
      const fieldIssues = Object.entries(errors.fields).map(([path, message]) => ({ path, message }));
      if (fieldIssues.length > 0) showIssues(fieldIssues, errors);
      else setApiErrors(errors);
    }
  };

  /** Refused fields: back to the first step holding one, its errors inline; the rest at the top. */
  const showIssues = (issues: { path: string; message: string }[], errors?: FormErrors) => {
    const first = issues
      .map((i) => stepOfIssuePath(i.path))
      .sort((a, b) => STEPS.indexOf(a) - STEPS.indexOf(b))[0];
    const target = first ?? "review";
    const inline = Object.fromEntries(
      issues.filter((i) => stepOfIssuePath(i.path) === target).map((i) => [i.path, i.message]),
    );
    const top: FormErrors = {
      fields: {},
      form: [
        ...(errors?.form ?? []),
        ...issues.map((i) => `${STEP_LABELS[stepOfIssuePath(i.path)]}: ${i.message}`),
      ],
      ...(errors?.requestId ? { requestId: errors.requestId } : {}),
    };
    setApiErrors(top);
    if (target !== step) goTo(target);
    setShownErrors(inline);
  };

  const props = { draft, catalog, errors: shownErrors, update };
  return (
    <>
      <div className="nora-page-heading">
        <h1>Deploy an agent</h1>
        <Link href={paths.agents(workspaceId)}>Back to the agents</Link>
      </div>
      {canDeploy ? null : (
        <Notice tone="warning" title="You can look, not deploy">
          Deploying needs the editor role or above in this workspace.
        </Notice>
      )}
      <ol className="nora-steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li
            key={s}
            className={i < index ? "nora-step nora-step--done" : "nora-step"}
            aria-current={s === step ? "step" : undefined}
          >
            {i < index ? (
              <button type="button" className="nora-link-button" onClick={() => goTo(s)}>
                {STEP_LABELS[s]}
              </button>
            ) : (
              STEP_LABELS[s]
            )}
          </li>
        ))}
      </ol>
      <section className="nora-panel" aria-labelledby="wizard-step-title">
        <h2 id="wizard-step-title" ref={heading} tabIndex={-1}>
          {STEP_LABELS[step]}
        </h2>
        <FormAlert errors={apiErrors} title="The agent could not be deployed" />
        {step === "runtime" ? <RuntimeStep {...props} /> : null}
        {step === "target" ? <TargetStep {...props} /> : null}
        {step === "profile" ? <ProfileStep {...props} /> : null}
        {step === "resources" ? <ResourcesStep {...props} /> : null}
        {step === "providers" ? (
          <ProvidersStep {...props} providers={providers} workspaceId={workspaceId} />
        ) : null}
        {step === "template" ? <TemplateStep {...props} /> : null}
        {step === "review" ? <ReviewStep draft={draft} providers={providers} /> : null}
        <div className="nora-wizard-actions">
          {index > 0 ? (
            <Button variant="secondary" onClick={() => goTo(STEPS[index - 1] as Step)} disabled={deploying}>
              Back
            </Button>
          ) : null}
          {step === "review" ? (
            <Button
              onClick={() => void deploy()}
              loading={deploying}
              disabled={!canDeploy}
              title={canDeploy ? undefined : "Deploying needs the editor role or above"}
            >
              Deploy
            </Button>
          ) : (
            <Button onClick={next}>Next: {STEP_LABELS[STEPS[index + 1] as Step]}</Button>
          )}
        </div>
      </section>
    </>
  );
}
