import { type HTMLElement, parse } from "node-html-parser";
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";

/** Renders on the server, as Next does for the first paint, and parses the markup for queries. */
export function render(element: ReactElement): HTMLElement {
  return parse(renderToStaticMarkup(element));
}

/** The one element matching `selector`; fails the test when there is none or more than one. */
export function one(root: HTMLElement, selector: string): HTMLElement {
  const found = root.querySelectorAll(selector);
  if (found.length !== 1)
    throw new Error(`expected one ${selector}, found ${found.length} in ${root.toString()}`);
  return found[0] as HTMLElement;
}

/** The ids an element's aria-describedby (or another id-list attribute) points to, each resolved. */
export function referenced(root: HTMLElement, element: HTMLElement, attribute: string): HTMLElement[] {
  const ids = (element.getAttribute(attribute) ?? "").split(/\s+/).filter(Boolean);
  return ids.map((id) => one(root, `[id="${id}"]`));
}
