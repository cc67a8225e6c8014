"use client";

import { useRef, useState } from "react";

export type CopyState = "idle" | "copied" | "selected";

/**
 * Copies `value` to the clipboard; where the clipboard API is missing (plain http on a LAN address)
 * it selects the text of the element `ref` points to instead, for Ctrl+C.
 */
export function useCopy<E extends HTMLElement>(value: string) {
  const [state, setState] = useState<CopyState>("idle");
  const ref = useRef<E>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      const element = ref.current;
      if (element) window.getSelection()?.selectAllChildren(element);
      setState("selected");
    }
  };
  return { state, copy, ref };
}
