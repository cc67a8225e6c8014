"use client";
import { useEffect, useId, useState } from "react";
import { cx } from "./class-names.js";
import {
  applyThemePreference,
  readThemePreference,
  THEME_PREFERENCES,
  THEME_STORAGE_KEY,
  type ThemePreference,
} from "./theme.js";

const LABELS: Record<ThemePreference, string> = { system: "System", light: "Light", dark: "Dark" };

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export interface ThemeToggleProps {
  className?: string;
  label?: string;
  /** The choice shown before the stored one is read (tests render a given state). */
  initial?: ThemePreference;
}

/**
 * Light, dark, or the system's: a radio group (arrow keys move between the options, as for any radio
 * group). The choice is applied to <html> at once and kept in localStorage for the next visit.
 */
export function ThemeToggle({ className, label = "Theme", initial = "system" }: ThemeToggleProps) {
  const [preference, setPreference] = useState<ThemePreference>(initial);
  const name = useId();
  useEffect(() => setPreference(readThemePreference(storage())), []);
  const choose = (next: ThemePreference) => {
    setPreference(next);
    applyThemePreference(document.documentElement, next);
    try {
      if (next === "system") storage()?.removeItem(THEME_STORAGE_KEY);
      else storage()?.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // Storage refused (private mode, quota): the choice still holds for this page.
    }
  };
  return (
    <fieldset className={cx("nora-theme-toggle", className)}>
      <legend className="nora-visually-hidden">{label}</legend>
      {THEME_PREFERENCES.map((option) => (
        <label
          key={option}
          className={cx("nora-theme-option", option === preference && "nora-theme-option--checked")}
        >
          <input
            type="radio"
            name={`nora-theme-${name}`}
            value={option}
            checked={option === preference}
            onChange={() => choose(option)}
            className="nora-theme-radio"
          />
          {LABELS[option]}
        </label>
      ))}
    </fieldset>
  );
}
