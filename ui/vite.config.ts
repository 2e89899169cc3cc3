import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// Tauri serves ui/dist at the root of its own origin: keep Vite's defaults for base.
export default defineConfig(({ mode }) => ({
  plugins: [
    svelte({
      // Styles go to a .css file: the CSP (style-src 'self') refuses injected <style> elements.
      compilerOptions: { css: "external" },
    }),
  ],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    target: "safari16",
    // Keep everything in files served from 'self'; no inlined data: assets, no module preload polyfill script.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  resolve: mode === "test" ? { conditions: ["browser"] } : undefined,
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test/setup.ts"],
  },
}));
