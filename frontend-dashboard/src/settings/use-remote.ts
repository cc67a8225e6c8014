"use client";

import type { Loaded } from "@nora/ui";
import { useCallback, useEffect, useRef, useState } from "react";

/**
 * A value one screen loads (a workspace's members, its keys): loaded on mount and whenever `key`
 * changes, `reload` after a change. An answer that arrives after a newer request started is dropped.
 */
export function useRemote<T>(
  key: string,
  load: () => Promise<T>,
): Loaded<T> & { reload: () => Promise<void> } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what is loaded; the loader is read from a ref.
  const reload = useCallback(async () => {
    const run = ++latest.current;
    try {
      const value = await loader.current();
      if (run === latest.current) setLoaded({ state: "ready", value });
    } catch (error) {
      if (run === latest.current) setLoaded({ state: "failed", error });
    }
  }, [key]);
  useEffect(() => {
    setLoaded({ state: "loading" });
    void reload();
  }, [reload]);
  return { ...loaded, reload };
}
