import { describe, expect, it, vi } from "vitest";
import { isTypingTarget, keyName, ShortcutDispatcher } from "../lib/shortcuts";

function press(target: EventTarget, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const e = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(e);
  return e;
}

function setup() {
  const calls: string[] = [];
  const bindings = {
    j: () => calls.push("next"),
    a: () => calls.push("ack"),
    "?": () => calls.push("help"),
    Escape: () => calls.push("esc"),
    "g s": () => calls.push("settings"),
    "g l": () => calls.push("log"),
  };
  let t = 0;
  const d = new ShortcutDispatcher(() => bindings, { now: () => t, sequenceMs: 1000 });
  const listener = (e: Event) => d.handle(e as KeyboardEvent);
  document.body.innerHTML = "";
  document.addEventListener("keydown", listener);
  const cleanup = () => document.removeEventListener("keydown", listener);
  return { calls, advance: (ms: number) => (t += ms), cleanup };
}

describe("shortcuts", () => {
  it("runs single keys and stops the browser default", () => {
    const s = setup();
    const e = press(document.body, "j");
    press(document.body, "?", { shiftKey: true });
    expect(s.calls).toEqual(["next", "help"]);
    expect(e.defaultPrevented).toBe(true);
    s.cleanup();
  });

  it("is off while typing in an input, a textarea or a select, except Escape", () => {
    const s = setup();
    for (const tag of ["input", "textarea", "select"]) {
      const el = document.createElement(tag);
      document.body.append(el);
      const e = press(el, "a");
      expect(e.defaultPrevented).toBe(false);
    }
    const input = document.querySelector("input") as HTMLInputElement;
    press(input, "g");
    press(input, "s");
    expect(s.calls).toEqual([]);
    press(input, "Escape");
    expect(s.calls).toEqual(["esc"]);
    // A checkbox is not a text field.
    const box = document.createElement("input");
    box.type = "checkbox";
    document.body.append(box);
    press(box, "a");
    expect(s.calls).toEqual(["esc", "ack"]);
    s.cleanup();
  });

  it("lets Enter press a focused button instead of running the Enter shortcut", () => {
    const run = vi.fn();
    const d = new ShortcutDispatcher(() => ({ Enter: run }));
    const button = document.createElement("button");
    document.body.append(button);
    const onKey = (e: Event) => d.handle(e as KeyboardEvent);
    document.addEventListener("keydown", onKey);
    const e = press(button, "Enter");
    expect(e.defaultPrevented).toBe(false);
    press(document.body, "Enter");
    expect(run).toHaveBeenCalledOnce();
    document.removeEventListener("keydown", onKey);
  });

  it("knows contenteditable as typing", () => {
    const div = document.createElement("div");
    div.setAttribute("contenteditable", "true");
    expect(isTypingTarget(div)).toBe(true);
    expect(isTypingTarget(document.body)).toBe(false);
  });

  it("runs two-key sequences like g s, within the time allowed", () => {
    const s = setup();
    press(document.body, "g");
    press(document.body, "s");
    press(document.body, "g");
    s.advance(2000);
    press(document.body, "l"); // too late: an unbound single key
    press(document.body, "g");
    press(document.body, "x"); // unknown second key: nothing, and the sequence ends
    press(document.body, "j");
    expect(s.calls).toEqual(["settings", "next"]);
    s.cleanup();
  });

  it("leaves keys with Ctrl, Alt or Cmd to the browser", () => {
    const s = setup();
    press(document.body, "a", { ctrlKey: true });
    press(document.body, "j", { metaKey: true });
    press(document.body, "j", { altKey: true });
    expect(s.calls).toEqual([]);
    expect(keyName({ key: "Enter", ctrlKey: true, metaKey: false, altKey: false })).toBe("Ctrl+Enter");
    s.cleanup();
  });

  it("ignores keys already handled and IME composition", () => {
    const run = vi.fn();
    const d = new ShortcutDispatcher(() => ({ j: run }));
    const e = new KeyboardEvent("keydown", { key: "j", cancelable: true, isComposing: true });
    expect(d.handle(e)).toBe(false);
    expect(run).not.toHaveBeenCalled();
  });
});
