// Sizes and offsets computed in JS reach CSS through the CSSOM (element.style.setProperty):
// the CSP refuses style="" attributes and style: directives, not CSSOM writes.
import type { Action } from "svelte/action";

export type CssVars = Record<string, string | number>;

function apply(node: HTMLElement, vars: CssVars, prev: CssVars): void {
  for (const k of Object.keys(prev)) if (!(k in vars)) node.style.removeProperty(k);
  for (const [k, v] of Object.entries(vars)) node.style.setProperty(k, typeof v === "number" ? `${v}px` : v);
}

export const cssVars: Action<HTMLElement, CssVars> = (node, vars) => {
  let prev: CssVars = {};
  apply(node, vars, prev);
  prev = vars;
  return {
    update(next: CssVars) {
      apply(node, next, prev);
      prev = next;
    },
  };
};
