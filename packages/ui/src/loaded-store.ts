"use client";

import { useEffect, useSyncExternalStore } from "react";

export type Loaded<T> =
  | { state: "loading"; value?: undefined; error?: undefined }
  | { state: "ready"; value: T; error?: undefined }
  | { state: "failed"; value?: undefined; error: unknown };

/**
 * A value loaded once and shared by every component that reads it (the header and the page read the
 * same session and workspace list without asking twice); `reload` asks again and tells every reader.
 */
export interface LoadedStore<T> {
  subscribe(listener: () => void): () => void;
  current(): Loaded<T>;
  start(): void;
  reload(): Promise<void>;
  set(value: T): void;
}

export function loadedStore<T>(load: () => Promise<T>): LoadedStore<T> {
  let current: Loaded<T> = { state: "loading" };
  let inFlight: Promise<void> | undefined;
  let started = false;
  const listeners = new Set<() => void>();
  const set = (next: Loaded<T>) => {
    current = next;
    for (const listener of listeners) listener();
  };
  const reload = (): Promise<void> => {
    started = true;
    const run = load().then(
      (value) => {
        if (inFlight === run) set({ state: "ready", value });
      },
      (error: unknown) => {
        if (inFlight === run) set({ state: "failed", error });
      },
    );
    inFlight = run;
    return run;
  };
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return {
    subscribe,
    current: () => current,
    /** Starts the first load unless one has started. */
    start: () => {
      if (!started) void reload();
    },
    reload,
    /** Replaces the value without asking (after a change whose answer carries the new value). */
    set: (value: T) => set({ state: "ready", value }),
  };
}

const SERVER_SNAPSHOT: Loaded<never> = { state: "loading" };

/** A store's value as it stands, re-rendering on each change; the first reader starts the load. */
export function useLoaded<T>(store: LoadedStore<T>): Loaded<T> {
  const value = useSyncExternalStore(store.subscribe, store.current, () => SERVER_SNAPSHOT);
  useEffect(() => store.start(), [store]);
  return value;
}
