"use client";
import { type FormEvent, type ReactNode, useState } from "react";
import { Button } from "./button.js";
import { confirmationMatches } from "./confirmation.js";
import { Dialog } from "./dialog.js";
import { Field } from "./field.js";

export interface ConfirmDialogProps {
  open: boolean;
  onClose: () => void;
  onConfirm: () => void;
  title: ReactNode;
  description?: ReactNode;
  /** What the operator must type to enable the action, e.g. the agent's name. */
  confirmationText: string;
  /** The danger button's words, naming the action ("Delete agent"). */
  confirmLabel: ReactNode;
  cancelLabel?: ReactNode;
  /** The action is running: the button shows it and the dialog cannot be dismissed. */
  busy?: boolean;
}

/** A destructive action's confirmation: the danger button stays disabled until the phrase is typed. */
export function ConfirmDialog({
  open,
  onClose,
  onConfirm,
  title,
  description,
  confirmationText,
  confirmLabel,
  cancelLabel = "Cancel",
  busy = false,
}: ConfirmDialogProps) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      description={description}
      role="alertdialog"
      dismissible={!busy}
    >
      <ConfirmForm
        confirmationText={confirmationText}
        confirmLabel={confirmLabel}
        cancelLabel={cancelLabel}
        busy={busy}
        onCancel={onClose}
        onConfirm={onConfirm}
      />
    </Dialog>
  );
}

interface ConfirmFormProps {
  confirmationText: string;
  confirmLabel: ReactNode;
  cancelLabel: ReactNode;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  /** The text typed so far; tests render the form in a given state. */
  initialTyped?: string;
}

export function ConfirmForm({
  confirmationText,
  confirmLabel,
  cancelLabel,
  busy,
  onCancel,
  onConfirm,
  initialTyped = "",
}: ConfirmFormProps) {
  const [typed, setTyped] = useState(initialTyped);
  const confirmed = confirmationMatches(typed, confirmationText);
  // Enter in the input submits the form even while the button is aria-disabled: check here too.
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (confirmed && !busy) onConfirm();
  };
  return (
    <form className="nora-confirm-form" onSubmit={submit} noValidate>
      <Field
        label={
          <>
            Type <strong className="nora-confirm-phrase">{confirmationText}</strong> to confirm
          </>
        }
        name="confirmation"
        value={typed}
        onChange={(event) => setTyped(event.currentTarget.value)}
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
        data-autofocus=""
      />
      <div className="nora-dialog-actions">
        <Button variant="secondary" onClick={onCancel} disabled={busy}>
          {cancelLabel}
        </Button>
        <Button variant="danger" type="submit" disabled={!confirmed} loading={busy}>
          {confirmLabel}
        </Button>
      </div>
    </form>
  );
}
