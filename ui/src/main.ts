import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { api, inTauri, setTransport, toUiError } from "./lib/api";

async function start() {
  // Preview in a plain browser during development only: `import.meta.env.DEV` is false in a
  // build, so the mock and this branch are left out of dist/ entirely.
  if (import.meta.env.DEV && !inTauri()) {
    const { mockTransport } = await import("./lib/mock");
    setTransport(mockTransport());
  }
  const target = document.getElementById("app");
  if (!target) return;
  const problem = await api.startupProblem().catch(toUiError);
  if (problem) {
    const { default: StartupProblem } = await import("./components/StartupProblem.svelte");
    mount(StartupProblem, { target, props: { problem } });
  } else mount(App, { target });
}

void start();
