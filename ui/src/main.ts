import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { api, inTauri, setTransport, toUiError } from "./lib/api";
import { FIRST_PAGE } from "./lib/pager";

async function start() {
  // Preview in a plain browser during development only: `import.meta.env.DEV` is false in a
  // build, so the mock and this branch are left out of dist/ entirely.
  if (import.meta.env.DEV && !inTauri()) {
    const { mockTransport } = await import("./lib/mock");
    setTransport(mockTransport());
  }
  const target = document.getElementById("app");
  if (!target) return;
  // Asked at once, beside the startup check: the window then mounts with its rows, one layout
  // and one paint, unless the page is slow (a blank window is worse than an empty list); then
  // the list takes the page when it lands. Its failure is the list's to show.
  const firstPage = api.listIncidents(FIRST_PAGE);
  const arrived = firstPage.catch(() => null);
  const problem = await api.startupProblem().catch(toUiError);
  if (problem) {
    const { default: StartupProblem } = await import("./components/StartupProblem.svelte");
    mount(StartupProblem, { target, props: { problem } });
  } else {
    const slow = new Promise<null>((resolve) => setTimeout(() => resolve(null), 250));
    const early = await Promise.race([arrived, slow]);
    mount(App, { target, props: { firstPage: early ?? firstPage } });
  }
}

void start();
