// The CSP (style-src 'self', script-src 'self') refuses inline styles; and nothing is shown as HTML.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe("CSP-safe markup", () => {
  const svelte = files(join(__dirname, "..")).filter((f) => f.endsWith(".svelte"));
  it("has Svelte files to look at", () => expect(svelte.length).toBeGreaterThan(5));
  for (const f of svelte) {
    it(`${f.split("/src/")[1]}: no {@html}, no style= attribute, no style: directive`, () => {
      const markup = readFileSync(f, "utf8").replace(/<style[\s\S]*?<\/style>/g, "").replace(/<script[\s\S]*?<\/script>/g, "");
      expect(markup).not.toMatch(/\{@html/);
      expect(markup).not.toMatch(/\sstyle\s*=/);
      expect(markup).not.toMatch(/\sstyle:[a-z-]+/);
    });
  }
});
