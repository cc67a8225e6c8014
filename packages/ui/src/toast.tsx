"use client";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
} from "react";
import { cx } from "./class-names.js";
import { createToast, type Toast, type ToastInput, toastReducer } from "./toast-state.js";
import { type CopyState, useCopy } from "./use-copy.js";

export interface ToastApi {
  /** Shows a toast; returns its id. */
  show: (toast: ToastInput) => string;
  dismiss: (id: string) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToast() needs a <ToastProvider> (RootLayout from @nora/ui renders one)");
  return api;
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, dispatch] = useReducer(toastReducer, []);
  const counter = useRef(0);
  const show = useCallback((input: ToastInput) => {
    counter.current += 1;
    const id = `toast-${counter.current}`;
    dispatch({ type: "add", toast: createToast(id, input) });
    return id;
  }, []);
  const dismiss = useCallback((id: string) => dispatch({ type: "dismiss", id }), []);
  const api = useMemo(() => ({ show, dismiss }), [show, dismiss]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <ToastRegion toasts={toasts} onDismiss={dismiss} />
    </ToastContext.Provider>
  );
}

export interface ToastRegionProps {
  toasts: readonly Toast[];
  onDismiss: (id: string) => void;
  label?: string;
}

/**
 * The live region. It is rendered even when empty: assistive technology announces changes only in a
 * region that already existed. `aria-atomic="false"` overrides role=status's default so a new toast is
 * read alone, not with every toast still on screen.
 */
export function ToastRegion({ toasts, onDismiss, label = "Notifications" }: ToastRegionProps) {
  return (
    <section className="nora-toast-region" aria-label={label}>
      <div role="status" aria-live="polite" aria-atomic="false" className="nora-toast-list">
        {toasts.map((toast) => (
          <ToastView key={toast.id} toast={toast} onDismiss={onDismiss} />
        ))}
      </div>
    </section>
  );
}

const TONE_PREFIX = { info: "Information", success: "Success", error: "Error" } as const;
const TONE_ICON = { info: "i", success: "✓", error: "!" } as const;

export function ToastView({ toast, onDismiss }: { toast: Toast; onDismiss: (id: string) => void }) {
  const [paused, setPaused] = useState(false);
  const { id, duration } = toast;
  useEffect(() => {
    if (duration === null || paused) return;
    const timer = setTimeout(() => onDismiss(id), duration);
    return () => clearTimeout(timer);
  }, [id, duration, paused, onDismiss]);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: hover and focus only pause the timer; nothing is activated.
    <div
      className={cx("nora-toast", `nora-toast--${toast.tone}`)}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={() => setPaused(false)}
    >
      <span className="nora-toast-icon" aria-hidden="true">
        {TONE_ICON[toast.tone]}
      </span>
      <div className="nora-toast-content">
        <p className="nora-toast-title">
          <span className="nora-visually-hidden">{TONE_PREFIX[toast.tone]}: </span>
          {toast.title}
        </p>
        {toast.message === undefined ? null : <p className="nora-toast-message">{toast.message}</p>}
        {toast.requestId === undefined ? null : <RequestId value={toast.requestId} />}
      </div>
      <button
        type="button"
        className="nora-toast-dismiss"
        aria-label="Dismiss notification"
        onClick={() => onDismiss(id)}
      >
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}

const COPY_LABEL: Record<CopyState, string> = {
  idle: "Copy request id",
  copied: "Copied",
  selected: "Selected: press Ctrl+C",
};

/** The request id with a copy button. Without the clipboard API (plain http on a LAN address) it selects the text. */
export function RequestId({
  value,
  className = "nora-toast-request",
}: {
  value: string;
  className?: string;
}) {
  const { state, copy, ref: code } = useCopy<HTMLElement>(value);
  return (
    <p className={className}>
      Request id <code ref={code}>{value}</code>{" "}
      <button type="button" className="nora-toast-copy" onClick={copy}>
        {COPY_LABEL[state]}
      </button>
    </p>
  );
}
