// Keyboard shortcuts: one dispatcher on the window, silent while the technician types.

export type ShortcutMap = Readonly<Record<string, (() => void) | undefined>>;

/** Elements where keys are text, not commands. */
export function isTypingTarget(t: EventTarget | null): boolean {
  if (!t || typeof t !== "object" || !("tagName" in t)) return false;
  const el = t as HTMLElement;
  const tag = el.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (el as HTMLInputElement).type;
    return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(type);
  }
  return el.isContentEditable === true || el.getAttribute?.("contenteditable") === "true";
}

/** Elements that Enter activates by themselves (a focused button, a link). */
export function isActivatable(t: EventTarget | null): boolean {
  if (!t || typeof t !== "object" || !("tagName" in t)) return false;
  const el = t as HTMLElement;
  return ["BUTTON", "A", "SUMMARY"].includes(el.tagName) || el.getAttribute?.("role") === "button";
}

/** "j", "?", "Escape", "ArrowDown", "Ctrl+Enter": Ctrl and Cmd both read as Ctrl. */
export function keyName(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): string {
  let k = e.key;
  if (k.length === 1) k = k === " " ? "Space" : k;
  const mods = [];
  if (e.ctrlKey || e.metaKey) mods.push("Ctrl");
  if (e.altKey) mods.push("Alt");
  return [...mods, k].join("+");
}

export interface DispatcherOptions {
  /** How long a prefix such as `g` waits for its second key. */
  sequenceMs?: number;
  now?: () => number;
}

export class ShortcutDispatcher {
  private pending: { prefix: string; at: number } | null = null;
  private readonly bindings: () => ShortcutMap;
  private readonly sequenceMs: number;
  private readonly now: () => number;

  constructor(bindings: () => ShortcutMap, opts: DispatcherOptions = {}) {
    this.bindings = bindings;
    this.sequenceMs = opts.sequenceMs ?? 1500;
    this.now = opts.now ?? (() => Date.now());
  }

  /** Runs the shortcut for this key, if any; returns whether it did (and then stops the key). */
  handle(e: KeyboardEvent): boolean {
    if (e.defaultPrevented || e.isComposing) return false;
    const name = keyName(e);
    if (["Shift", "Control", "Alt", "Meta", "CapsLock"].includes(e.key)) return false;
    const map = this.bindings();
    // In a text field, keys are text: only Escape is a command there.
    if (isTypingTarget(e.target) && name !== "Escape") {
      this.pending = null;
      return false;
    }
    // Enter on a focused button presses the button, not the list's "open".
    if (name === "Enter" && !this.pending && isActivatable(e.target)) return false;
    let full = name;
    if (this.pending) {
      const fresh = this.now() - this.pending.at <= this.sequenceMs;
      full = `${this.pending.prefix} ${name}`;
      this.pending = null;
      if (!fresh) full = name;
      else if (!map[full]) {
        // An unknown second key ends the sequence and does nothing else.
        e.preventDefault();
        return true;
      }
    }
    const run = map[full];
    if (run) {
      e.preventDefault();
      run();
      return true;
    }
    if (Object.keys(map).some((k) => k.startsWith(`${full} `) && map[k])) {
      this.pending = { prefix: full, at: this.now() };
      e.preventDefault();
      return true;
    }
    return false;
  }
}

/** What the `?` overlay lists. */
export const SHORTCUT_HELP: readonly { keys: string[]; what: string }[] = [
  { keys: ["j", "↓"], what: "Next incident" },
  { keys: ["k", "↑"], what: "Previous incident" },
  { keys: ["Enter"], what: "Open the selected incident (focus its detail)" },
  { keys: ["/"], what: "Search" },
  { keys: ["a"], what: "Acknowledge" },
  { keys: ["n"], what: "New note (focus the note box)" },
  { keys: ["Ctrl", "Enter"], what: "Post the note; in a dialog, submit it" },
  { keys: ["t"], what: "Start or pause the timer" },
  { keys: ["l"], what: "Link a PSA ticket" },
  { keys: ["r"], what: "Resolve" },
  { keys: ["c"], what: "New incident" },
  { keys: ["s"], what: "Sync now" },
  { keys: ["g", "s"], what: "Settings" },
  { keys: ["g", "t"], what: "Tenants" },
  { keys: ["g", "l"], what: "Sync log" },
  { keys: ["g", "i"], what: "Back to incidents" },
  { keys: ["?"], what: "This list" },
  { keys: ["Esc"], what: "Close a dialog, leave a field" },
];
