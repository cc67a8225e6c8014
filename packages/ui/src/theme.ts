/** What the person chose: follow the system (`prefers-color-scheme`), or force light or dark. */
export type ThemePreference = "system" | "light" | "dark";

export const THEME_PREFERENCES: readonly ThemePreference[] = ["system", "light", "dark"];

/** Where the choice is kept in the browser: a display preference, never anything secret. */
export const THEME_STORAGE_KEY = "nora-theme";

export const isForcedTheme = (value: unknown): value is "light" | "dark" =>
  value === "light" || value === "dark";

/** The stored choice; `system` when none was stored, or storage is unavailable or holds junk. */
export function readThemePreference(storage: Pick<Storage, "getItem"> | undefined): ThemePreference {
  try {
    const stored = storage?.getItem(THEME_STORAGE_KEY);
    return isForcedTheme(stored) ? stored : "system";
  } catch {
    return "system";
  }
}

/** Applies a choice to <html>: `data-theme` forces a scheme (tokens.css), its absence follows the system. */
export function applyThemePreference(root: { dataset: DOMStringMap }, preference: ThemePreference): void {
  if (isForcedTheme(preference)) root.dataset.theme = preference;
  else delete root.dataset.theme;
}

/**
 * Runs in <head> before the first paint, so a stored choice shows without a flash of the other theme.
 * Inline and tiny (nginx's CSP allows inline scripts); it reads storage and sets one attribute.
 */
export const THEME_INIT_SCRIPT = `(function(){try{var t=localStorage.getItem(${JSON.stringify(
  THEME_STORAGE_KEY,
)});if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}})();`;
