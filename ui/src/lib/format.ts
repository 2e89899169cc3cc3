// Wording and number formats the technician reads; pure, so the tests pin them.
import type { PsaState } from "../bindings/PsaState";
import type { Severity } from "../bindings/Severity";
import type { Status } from "../bindings/Status";
import type { SyncState } from "../bindings/SyncState";
import type { TimerView } from "../bindings/TimerView";

/** "now", "5m", "2h", "3d", "7w", "2y": how long ago, short enough for a list column. */
export function formatAge(iso: string, now: Date | number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "";
  const nowMs = typeof now === "number" ? now : now.getTime();
  const s = Math.max(0, Math.floor((nowMs - then) / 1000));
  if (s < 60) return "now";
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 14) return `${d}d`;
  if (d < 365) return `${Math.floor(d / 7)}w`;
  return `${Math.floor(d / 365)}y`;
}

/** The words for where a write stands; the e2e tests read exactly these. */
export function syncLabel(s: SyncState): string {
  switch (s) {
    case "local":
      return "local only";
    case "waiting":
      return "waiting";
    case "synced":
      return "in PSA";
    case "refused":
      return "refused";
  }
}

export function syncTitle(s: SyncState): string {
  switch (s) {
    case "local":
      return "Kept on this computer only; it does not go to the PSA.";
    case "waiting":
      return "Saved here; it will be sent when the PSA is reachable.";
    case "synced":
      return "The PSA has it.";
    case "refused":
      return "The PSA refused it; see the reason and retry.";
  }
}

export function psaLabel(p: PsaState): string {
  switch (p) {
    case "online":
      return "online";
    case "offline":
      return "offline";
    case "not_configured":
      return "not configured";
    case "key_refused":
      return "key refused";
  }
}

export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];
export const STATUSES: readonly Status[] = ["new", "acknowledged", "resolved"];

export function severityLabel(s: Severity): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function statusLabel(s: Status): string {
  return s === "new" ? "New" : s === "acknowledged" ? "Acknowledged" : "Resolved";
}

/** "0:07", "12:03", "1:02:03". */
export function formatElapsed(totalSeconds: number): string {
  const t = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * Seconds worked on a timer at `now`. `worked_seconds` counts up to the moment the view was read
 * (`readAt`); a running timer adds the time since then.
 */
export function timerSeconds(t: TimerView | null | undefined, now: number, readAt: number): number {
  if (!t) return 0;
  let s = t.worked_seconds;
  if (t.running) s += Math.max(0, (now - readAt) / 1000);
  return Math.floor(s);
}

/** "1 h 05 min", "25 min", "0 min". */
export function formatMinutes(min: number): string {
  const m = Math.max(0, Math.round(min));
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});
const dateTimeYear = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** A local date and time, with the year only when it is not this year. */
export function formatDateTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (d.getFullYear() === now.getFullYear() ? dateTime : dateTimeYear).format(d);
}

type NumberFormat = Pick<Intl.NumberFormat, "format">;

/**
 * The user's number format, unless it does not group digits at all (the C locale, as on a bare
 * Linux session, shows 100000): then en-US's, so that large counts stay readable.
 */
export function countFormat(local: NumberFormat = new Intl.NumberFormat()): NumberFormat {
  return /^\d+$/.test(local.format(100_000)) ? new Intl.NumberFormat("en-US") : local;
}

const counts = countFormat();

/** A count of things, digits grouped. */
export function formatCount(n: number): string {
  return counts.format(n);
}

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
