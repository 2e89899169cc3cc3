// The list from a command, painted; its first paint reported as the app reports its own.
const { invoke } = window.__TAURI__.core;

async function start() {
  const list = document.getElementById("list");
  for (const [i, text] of (await invoke("rows")).entries()) {
    const li = document.createElement("li");
    li.textContent = text;
    li.dataset.testid = `row-${i + 1}`;
    li.addEventListener("click", async () => {
      document.getElementById("detail").textContent = await invoke("detail", { id: i + 1 });
    });
    list.append(li);
  }
  // The callback of the next frame runs before it paints; a task queued from it runs after.
  requestAnimationFrame(() =>
    setTimeout(() => {
      const mark = performance.mark("list-painted");
      void invoke("painted", { mark: mark.name, atMs: performance.timeOrigin + mark.startTime });
    }),
  );
}

void start();
