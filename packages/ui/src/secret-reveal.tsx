"use client";

import { type CopyState, useCopy } from "./use-copy.js";

export interface SecretRevealProps {
  /** What the secret is ("API key"), for the label and the copy button. */
  label: string;
  /** The plaintext, held only by the caller's state: this component neither stores nor caches it. */
  value: string;
  /** Why it is shown once, e.g. "Copy it now: Nora keeps only a hash." */
  warning?: string;
}

const COPY_WORDS: Record<CopyState, string> = {
  idle: "Copy",
  copied: "Copied",
  selected: "Selected: press Ctrl+C",
};

/**
 * A secret shown this once (a new API key, an invitation link): read-only, selectable, with a copy
 * button that falls back to selecting the text where the clipboard API is missing (plain http). It
 * keeps the value in the DOM only while mounted; the dialog that shows it drops it when it closes.
 */
export function SecretReveal({
  label,
  value,
  warning = "This is shown once. Copy it now: it cannot be shown again.",
}: SecretRevealProps) {
  const { state, copy, ref: code } = useCopy<HTMLElement>(value);
  return (
    <section className="nora-secret" aria-label={label}>
      <p className="nora-secret-warning">
        <span className="nora-field-error-icon" aria-hidden="true">
          !
        </span>
        {warning}
      </p>
      <div className="nora-secret-row">
        <code ref={code} className="nora-secret-value" data-secret="">
          {value}
        </code>
        <button type="button" className="nora-button nora-button--secondary nora-button--sm" onClick={copy}>
          <span className="nora-button-label">
            {COPY_WORDS[state]}
            {state === "idle" ? <span className="nora-visually-hidden"> {label}</span> : null}
          </span>
        </button>
      </div>
      <p className="nora-visually-hidden" aria-live="polite">
        {state === "copied" ? `${label} copied to the clipboard` : ""}
      </p>
    </section>
  );
}
