// The one door to the Rust side: every command and event of the app goes through this module.
import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { listen as tauriListen } from "@tauri-apps/api/event";
import type { AppInfo } from "../bindings/AppInfo";
import type { Changed } from "../bindings/Changed";
import type { IncidentPage } from "../bindings/IncidentPage";
import type { IncidentQuery } from "../bindings/IncidentQuery";
import type { IncidentView } from "../bindings/IncidentView";
import type { NewIncident } from "../bindings/NewIncident";
import type { ResolvePreview } from "../bindings/ResolvePreview";
import type { SettingsInput } from "../bindings/SettingsInput";
import type { SettingsView } from "../bindings/SettingsView";
import type { StatusBar } from "../bindings/StatusBar";
import type { SyncLogEntry } from "../bindings/SyncLogEntry";
import type { TenantInput } from "../bindings/TenantInput";
import type { TenantView } from "../bindings/TenantView";
import type { TimeInput } from "../bindings/TimeInput";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { UiError } from "../bindings/UiError";
import type { WizardStepView } from "../bindings/WizardStepView";

export type Unlisten = () => void;

/** What the module needs from Tauri; tests and the dev preview put their own in. */
export interface Transport {
  invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  listen<T>(event: string, handler: (payload: T) => void): Promise<Unlisten>;
}

const tauriTransport: Transport = {
  invoke: (cmd, args) => tauriInvoke(cmd, args),
  listen: (event, handler) => tauriListen(event, (e) => handler(e.payload as never)),
};

let transport: Transport = tauriTransport;

export function setTransport(t: Transport): void {
  transport = t;
}

/** True inside the Tauri webview. */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

const CODES: readonly ErrorCode[] = [
  "invalid_input",
  "not_allowed",
  "not_found",
  "database_busy",
  "disk_full",
  "database_unusable",
  "keychain",
  "settings",
  "psa",
  "psa_key_refused",
  "psa_tenant_refused",
  "psa_not_found",
  "psa_request_refused",
  "psa_rate_limited",
  "psa_unreachable",
  "psa_redirected",
  "psa_bad_answer",
  "internal",
];

/** Every rejection becomes a UiError: commands send one; anything else (a panic, a missing command) is wrapped. */
export function toUiError(e: unknown): UiError {
  if (e && typeof e === "object" && "message" in e && typeof (e as { message: unknown }).message === "string") {
    const o = e as { code?: unknown; message: string; fix?: unknown };
    return {
      code: CODES.find((c) => c === o.code) ?? "internal",
      message: o.message,
      fix: typeof o.fix === "string" ? o.fix : null,
    };
  }
  if (typeof e === "string") return { code: "internal", message: e, fix: null };
  return { code: "internal", message: "Something went wrong in the app.", fix: "Try again; if it keeps failing, restart the app." };
}

export function isUiError(e: unknown): e is UiError {
  return !!e && typeof e === "object" && "code" in e && "message" in e && "fix" in e;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await transport.invoke<T>(cmd, args);
  } catch (e) {
    throw toUiError(e);
  }
}

export type TimerAction = "start" | "pause" | "stop";

// Every action answers with the incident screen as it now stands (IncidentView); the change
// feed reports the same change to every other view.
export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  status: () => call<StatusBar>("status"),
  listIncidents: (query: IncidentQuery) => call<IncidentPage>("list_incidents", { query }),
  incident: (id: number) => call<IncidentView>("incident", { id }),
  newIncident: (input: NewIncident) => call<IncidentView>("new_incident", { input }),
  acknowledge: (id: number) => call<IncidentView>("acknowledge", { id }),
  addNote: (id: number, body: string) => call<IncidentView>("add_note", { id, body }),
  saveDraft: (id: number, body: string) => call<null>("save_draft", { id, body }),
  resolvePreview: (id: number) => call<ResolvePreview>("resolve_preview", { id }),
  /** An empty summary is no summary; minutes null logs what the timers add up to. */
  resolve: (id: number, summary: string | null, minutes: number | null) =>
    call<IncidentView>("resolve", { id, summary, minutes }),
  linkTicket: (id: number, ticketId: string) => call<IncidentView>("link_ticket", { id, ticketId }),
  timer: (id: number, action: TimerAction) => call<IncidentView>("timer", { id, action }),
  addTime: (id: number, entry: TimeInput) => call<IncidentView>("add_time", { id, entry }),
  editTime: (entryId: number, minutes: number) => call<IncidentView>("edit_time", { entryId, minutes }),
  deleteTime: (entryId: number) => call<IncidentView>("delete_time", { entryId }),
  confirmTime: (entryId: number) => call<IncidentView>("confirm_time", { entryId, minutes: null }),
  tenants: () => call<TenantView[]>("tenants"),
  saveTenant: (tenant: TenantInput) => call<TenantView>("save_tenant", { tenant }),
  settings: () => call<SettingsView>("settings"),
  saveSettings: (settings: SettingsInput) => call<SettingsView>("save_settings", { settings }),
  runWizard: (ticket: string | null) => call<WizardStepView[]>("run_wizard", { ticket }),
  syncNow: () => call<null>("sync_now"),
  retryWrite: (outboxId: number) => call<IncidentView>("retry_write", { outboxId }),
  syncLog: (limit: number) => call<SyncLogEntry[]>("sync_log", { limit }),
  /** Demo only: the simulator's copy of the ticket (its JSON as the PSA sends it), or null. */
  psaTicket: (id: number) => call<unknown>("psa_ticket", { id }),
  /** Why the app could not start (its window shows only that), or null. */
  startupProblem: () => call<UiError | null>("startup_problem"),
  quit: () => call<null>("quit"),
  /** Reports that the UI painted `mark`, for the cold start measurement (scripts/measure). */
  uiPainted: (mark: string, atMs: number) => call<null>("ui_painted", { mark, atMs }),
};

let painted = false;
let resolvePainted: () => void = () => {};
/** Resolves once the first list is on screen: what can wait for it starts then. */
export const listPainted = new Promise<void>((resolve) => (resolvePainted = resolve));

/** Marks the first painted list once: performance.mark, then one line in the app's log. */
export function markListPainted(): void {
  if (painted) return;
  painted = true;
  // The callback of the next frame runs before it paints; a task queued from it runs after.
  requestAnimationFrame(() =>
    setTimeout(() => {
      const mark = performance.mark("list-painted");
      api.uiPainted(mark.name, performance.timeOrigin + mark.startTime).catch(() => {});
      resolvePainted();
    }),
  );
}

export const events = {
  changed: (handler: (c: Changed) => void) => transport.listen<Changed>("changed", handler),
  status: (handler: (s: StatusBar) => void) => transport.listen<StatusBar>("status", handler),
  wizardStep: (handler: (s: WizardStepView) => void) => transport.listen<WizardStepView>("wizard-step", handler),
};
