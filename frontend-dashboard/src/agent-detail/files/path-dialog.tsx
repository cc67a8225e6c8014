"use client";

import { Button, Dialog, Field } from "@nora/ui";
import { type FormEvent, useState } from "react";
import { ErrorNotice, type ShownError } from "../../streams/error-notice";

export interface PathDialogProps {
  open: boolean;
  title: string;
  label: string;
  initial: string;
  submitLabel: string;
  hint?: string;
  onClose(): void;
  /** Resolves with an error to show (kept open), or null when done. */
  onSubmit(value: string): Promise<ShownError | null>;
}

/** A one-field dialog for a path (new directory, rename): the API's refusal shown inline. */
export function PathDialog(props: PathDialogProps) {
  return (
    <Dialog open={props.open} onClose={props.onClose} title={props.title}>
      <PathForm {...props} />
    </Dialog>
  );
}

function PathForm({ label, initial, submitLabel, hint, onClose, onSubmit }: PathDialogProps) {
  const [value, setValue] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy || value.trim() === "") return;
    setBusy(true);
    const failure = await onSubmit(value.trim());
    setBusy(false);
    if (failure) setError(failure);
    else onClose();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Field
        label={label}
        name="path"
        value={value}
        hint={hint}
        error={error?.message}
        onChange={(e) => setValue(e.currentTarget.value)}
        autoComplete="off"
        spellCheck={false}
        data-autofocus=""
      />
      {error?.requestId ? <ErrorNotice error={error} /> : null}
      <div className="nora-dialog-actions">
        <Button variant="secondary" onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" loading={busy} disabled={value.trim() === ""}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
