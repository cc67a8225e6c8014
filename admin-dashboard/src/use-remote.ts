"use client";

import type { Loaded } from "@nora/ui";
import { useCallback, useEffect, useRef, useState } from "react";

/**
 * A value a page loads from the API for its current inputs (`key`), loaded again when they change
 * or when `reload` is called. A slower earlier answer never replaces a newer one.
 */
export function useRemote<T>(
  key: string,
  load: () => Promise<T>,
): { loaded: Loaded<T>; reload: () => Promise<void>; set: (value: T) => void } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    latest.current += 1;
    const run = latest.current;
    try {
      const value = await loadRef.current();
      if (run === latest.current) setLoaded({ state: "ready", value });
    } catch (error) {
      if (run === latest.current) setLoaded({ state: "failed", error });
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names the inputs `load` reads.
  useEffect(() => {
    void reload();
  }, [key, reload]);

  const set = useCallback((value: T) => setLoaded({ state: "ready", value }), []);
  return { loaded, reload, set };
}

/** Calls `tick` every `ms` while the tab is visible (a page that keeps itself current). */
export function usePolling(tick: () => void, ms: number, enabled = true): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (!enabled) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") tickRef.current();
    }, ms);
    return () => clearInterval(timer);
  }, [ms, enabled]);
}
