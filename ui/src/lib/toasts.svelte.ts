// Errors (message + fix) and short confirmations, shown bottom right.
import type { UiError } from "../bindings/UiError";
import { toUiError } from "./api";

export interface Toast {
  id: number;
  kind: "error" | "info";
  message: string;
  fix: string | null;
}

class Toasts {
  items = $state<Toast[]>([]);
  private next = 1;

  error(e: unknown): void {
    const err: UiError = toUiError(e);
    // The same error twice in a row (a retry loop) shows once.
    const last = this.items.at(-1);
    if (last && last.kind === "error" && last.message === err.message) return;
    this.push({ kind: "error", message: err.message, fix: err.fix }, 15000);
  }

  info(message: string): void {
    this.push({ kind: "info", message, fix: null }, 5000);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }

  private push(t: Omit<Toast, "id">, ms: number): void {
    const id = this.next++;
    this.items = [...this.items.slice(-4), { ...t, id }];
    setTimeout(() => this.dismiss(id), ms);
  }
}

export const toasts = new Toasts();
