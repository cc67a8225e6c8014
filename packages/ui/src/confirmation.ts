/**
 * Whether the typed text confirms a destructive action. Case-sensitive and exact, except that
 * surrounding whitespace (a pasted trailing space or newline) is ignored; an empty phrase never
 * confirms, so a missing name cannot enable the button.
 */
export function confirmationMatches(typed: string, expected: string): boolean {
  const phrase = expected.trim();
  return phrase.length > 0 && typed.trim() === phrase;
}
