"use client";
import { type ReactNode, type SyntheticEvent, useEffect, useId, useRef } from "react";
import { cx } from "./class-names.js";

export interface DialogProps {
  open: boolean;
  /** Asked to close (Escape, the close button); the parent sets `open` to false. */
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  /** The action buttons, at the end of the dialog. */
  actions?: ReactNode;
  closeLabel?: string;
  /** `alertdialog` for confirmations that interrupt (destructive actions). */
  role?: "dialog" | "alertdialog";
  /** While false (e.g. work in flight), Escape and the close button do nothing. */
  dismissible?: boolean;
  className?: string;
}

/** Where focus goes when a dialog opens: the element marked `data-autofocus`, else the browser's choice. */
export const AUTOFOCUS_ATTRIBUTE = "data-autofocus";

/**
 * A modal on the native <dialog>: `showModal()` makes the rest of the page inert (the focus trap)
 * and turns Escape into a `cancel` event. The dialog is controlled: Escape asks `onClose`, and focus
 * returns to the element that had it before the dialog opened. Its content is mounted only while
 * open, so a reopened dialog starts fresh.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  actions,
  closeLabel = "Close",
  role = "dialog",
  dismissible = true,
  className,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      dialog.querySelector<HTMLElement>(`[${AUTOFOCUS_ATTRIBUTE}]`)?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  // Unmounted while open (a route change): still hand focus back.
  useEffect(() => () => restoreFocus(returnTo), []);

  const requestClose = () => {
    if (dismissible) onClose();
  };
  const onCancel = (event: SyntheticEvent<HTMLDialogElement>) => {
    event.preventDefault();
    requestClose();
  };
  // The browser may close a dialog itself (a repeated Escape): keep the parent's state in step.
  const onNativeClose = () => {
    restoreFocus(returnTo);
    if (open) onClose();
  };

  return (
    <dialog
      ref={ref}
      className={cx("nora-dialog", className)}
      role={role === "alertdialog" ? "alertdialog" : undefined}
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={description === undefined ? undefined : descriptionId}
      onCancel={onCancel}
      onClose={onNativeClose}
    >
      {open ? (
        <div className="nora-dialog-body">
          <div className="nora-dialog-header">
            <h2 id={titleId} className="nora-dialog-title">
              {title}
            </h2>
            <button
              type="button"
              className="nora-dialog-close"
              aria-label={closeLabel}
              aria-disabled={!dismissible || undefined}
              onClick={requestClose}
            >
              <span aria-hidden="true">×</span>
            </button>
          </div>
          {description === undefined ? null : (
            <div id={descriptionId} className="nora-dialog-description">
              {description}
            </div>
          )}
          {children}
          {actions === undefined ? null : <div className="nora-dialog-actions">{actions}</div>}
        </div>
      ) : null}
    </dialog>
  );
}

function restoreFocus(returnTo: { current: HTMLElement | null }) {
  const target = returnTo.current;
  returnTo.current = null;
  if (target?.isConnected) target.focus();
}
