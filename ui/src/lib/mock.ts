// DEV ONLY: an in-memory stand-in for the Rust side, used when the page runs in a plain browser
// (`npm run dev`). main.ts loads it only under import.meta.env.DEV, so it never ships.
import type { Changed } from "../bindings/Changed";
import type { Incident } from "../bindings/Incident";
import type { IncidentView } from "../bindings/IncidentView";
import type { IncidentPage } from "../bindings/IncidentPage";
import type { IncidentQuery } from "../bindings/IncidentQuery";
import type { NewIncident } from "../bindings/NewIncident";
import type { NoteView } from "../bindings/NoteView";
import type { Severity } from "../bindings/Severity";
import type { StatusBar } from "../bindings/StatusBar";
import type { SyncState } from "../bindings/SyncState";
import type { SyncLogEntry } from "../bindings/SyncLogEntry";
import type { TenantView } from "../bindings/TenantView";
import type { TimeEntryView } from "../bindings/TimeEntryView";
import type { TimerView } from "../bindings/TimerView";
import type { WizardStepView } from "../bindings/WizardStepView";
import type { Transport, Unlisten } from "./api";

type Handler = (p: unknown) => void;

export function mockTransport(count = Number(new URLSearchParams(location.search).get("n") ?? 100_000)): Transport {
  const listeners = new Map<string, Set<Handler>>();
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((h) => h(payload));
  const tenants: TenantView[] = [
    { id: "acme", org_id: "101", company: "Acme Dental", psa_allowed: true },
    { id: "globex", org_id: "102", company: "Globex Logistics", psa_allowed: null },
    { id: "initech", org_id: "103", company: "Initech Accounting LLP", psa_allowed: false },
  ];
  const sev: Severity[] = ["critical", "high", "medium", "low"];
  const titles = [
    "Ransomware behaviour blocked on FINANCE-PC-07",
    "Disk space below 5% on SQL01 (D:)",
    "Backup job failed: nightly image of file server",
    "Agent offline for 2 hours: RECEPTION-01",
    'Suspicious PowerShell: encoded command launched by WINWORD.EXE with a very long title that should ellipsize in the list <img src=x onerror=alert(1)>',
  ];
  const base = Date.now();
  const incidents = new Map<number, Incident>();
  const order: number[] = [];
  function make(id: number): Incident {
    const t = tenants[id % 3] as TenantView;
    const product = id % 5 === 0 ? "Defend" : "N-central";
    return {
      id,
      tenant_id: t.id,
      title: `${titles[id % titles.length]} #${id}`,
      description: "Line one of the alert.\nLine two: <b>not bold</b>.",
      severity: sev[id % 4] as Severity,
      status: id % 7 === 0 ? "resolved" : id % 3 === 0 ? "acknowledged" : "new",
      alert_source: "N-central",
      product,
      ...(product === "Defend"
        ? { device_name: "FINANCE-PC-07", hostname: "finance-pc-07.acme.local", mitre_technique_id: "T1059.001", mitre_technique_name: "PowerShell", recommended_action: "Isolate the device, then reset the user's password." }
        : { device_name: null, hostname: null, mitre_technique_id: null, mitre_technique_name: null, recommended_action: null }),
      created_at: new Date(base - id * 97_000).toISOString(),
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      resolved_by: null,
      resolution_summary: null,
      psa_ticket_id: id % 4 === 0 ? null : `T-${1000 + id}`,
      syncs_to_psa: id % 11 !== 0,
    };
  }
  const get = (id: number): Incident => {
    let i = incidents.get(id);
    if (!i) {
      i = make(id);
      incidents.set(id, i);
    }
    return i;
  };
  for (let i = 1; i <= count; i++) order.push(i);
  let nextId = count + 1;
  const notes = new Map<number, NoteView[]>();
  const drafts = new Map<number, string>();
  const timers = new Map<number, TimerView>();
  const entries = new Map<number, TimeEntryView[]>();
  let nextNote = 1;
  const status: StatusBar = { psa: "offline", waiting: 3, refused: 1, last_error: "The PSA did not answer within 10 s.", timers_running: 0 };
  const log: SyncLogEntry[] = [
    { id: 2, outbox_id: 9, incident_id: 3, at: new Date().toISOString(), kind: "add_note", result: "refused", message: "Note body is longer than the PSA accepts (4000 characters)." },
    { id: 1, outbox_id: 8, incident_id: 2, at: new Date().toISOString(), kind: "create_ticket", result: "delivered", message: "Ticket T-1002 created." },
  ];
  const changed = (ids: number[]) => emit("changed", { incidents: ids, all: false } satisfies Changed);
  const sync = (id: number): SyncState => (get(id).syncs_to_psa ? (status.psa === "online" ? "synced" : "waiting") : "local");
  const readTimer = (t: TimerView): TimerView => ({
    ...t,
    worked_seconds: t.worked_seconds + (t.running && t.running_since ? Math.floor((Date.now() - Date.parse(t.running_since)) / 1000) : 0),
  });
  const detail = (id: number): IncidentView => ({
    incident: get(id),
    company: tenants.find((t) => t.id === get(id).tenant_id)?.company ?? "",
    ticket_sync: get(id).psa_ticket_id ? "synced" : sync(id),
    ticket_error: null,
    ticket_note: null,
    writes: id === 3 ? [{ outbox_id: 12, kind: "resolve", sync: "refused", attempts: 2, message: "The PSA says the ticket is closed already." }] : [],
    notes: notes.get(id) ?? (id === 3 ? [{ id: 999, author: "Sam", body: "<img src=x onerror=alert(1)>\nsecond line", created_at: new Date().toISOString(), sync: "refused", sync_error: "Too long", outbox_id: 9 }] : []),
    timers: [...(timers.has(id) ? [readTimer(timers.get(id) as TimerView)] : []), ...(id === 3 ? [{ technician: "Alex", running: true, running_since: new Date(base - 600_000).toISOString(), worked_seconds: 600 }] : [])],
    time_entries: entries.get(id) ?? [],
    draft: drafts.get(id) ?? null,
  });

  const commands: Record<string, (a: Record<string, unknown>) => unknown> = {
    startup_problem: () => null,
    app_info: () => ({ demo: true, technician: "Sam Tech", default_tenant: "acme", db_path: "/tmp/mock.sqlite3", version: "dev" }),
    status: () => ({ ...status }),
    list_incidents: (a) => {
      const q = a.query as IncidentQuery;
      const s = q.search?.toLowerCase() ?? null;
      const ids = order.filter((id) => {
        if (!q.status && !q.severity && !q.tenant_id && !s) return true;
        const i = get(id);
        return (!q.status || i.status === q.status) && (!q.severity || i.severity === q.severity) && (!q.tenant_id || i.tenant_id === q.tenant_id) && (!s || i.title.toLowerCase().includes(s));
      });
      const rows = ids.slice(q.offset, q.offset + q.limit).map((id) => {
        const i = get(id);
        return { id, title: i.title, severity: i.severity, status: i.status, tenant_id: i.tenant_id, company: tenants.find((t) => t.id === i.tenant_id)?.company ?? "", created_at: i.created_at, psa_ticket_id: i.psa_ticket_id, sync: sync(id) };
      });
      return { total: ids.length, rows } satisfies IncidentPage;
    },
    incident: (a) => detail(a.id as number),
    new_incident: (a) => {
      const input = a.input as NewIncident;
      const id = nextId++;
      const inc: Incident = { ...make(id), tenant_id: input.tenant_id, title: input.title, description: input.description, severity: input.severity as Severity, status: "new", alert_source: input.alert_source, product: input.product, ...input.defend, created_at: new Date().toISOString(), psa_ticket_id: null };
      incidents.set(id, inc);
      order.unshift(id);
      changed([id]);
      return detail(id);
    },
    acknowledge: (a) => {
      const i = get(a.id as number);
      Object.assign(i, { status: "acknowledged", acknowledged_at: new Date().toISOString(), acknowledged_by: "Sam Tech" });
      changed([i.id]);
      return detail(i.id);
    },
    add_note: (a) => {
      const id = a.id as number;
      const n: NoteView = { id: nextNote++, author: "Sam Tech", body: a.body as string, created_at: new Date().toISOString(), sync: sync(id), sync_error: null, outbox_id: null };
      notes.set(id, [...(notes.get(id) ?? []), n]);
      drafts.delete(id);
      changed([id]);
      return detail(id);
    },
    save_draft: (a) => {
      drafts.set(a.id as number, a.body as string);
      return null;
    },
    resolve_preview: (a) => {
      const t = timers.get(a.id as number);
      const w = t ? readTimer(t).worked_seconds : 0;
      return { minutes: Math.ceil(w / 60 / 15) * 15, increment_minutes: 15, worked_seconds: Math.floor(w) };
    },
    resolve: (a) => {
      const i = get(a.id as number);
      Object.assign(i, { status: "resolved", resolved_at: new Date().toISOString(), resolved_by: "Sam Tech", resolution_summary: a.summary });
      timers.delete(i.id);
      changed([i.id]);
      return detail(i.id);
    },
    link_ticket: (a) => {
      const i = get(a.id as number);
      i.psa_ticket_id = a.ticketId as string;
      changed([i.id]);
      return detail(i.id);
    },
    timer: (a) => {
      const id = a.id as number;
      const t: TimerView = timers.get(id) ?? { running: false, running_since: null, worked_seconds: 0, technician: "Sam Tech" };
      const now = new Date();
      const worked = readTimer(t).worked_seconds;
      let next: TimerView | null;
      if (a.action === "start") next = t.running ? t : { ...t, running: true, running_since: now.toISOString() };
      else if (a.action === "pause") next = { ...t, running: false, running_since: null, worked_seconds: worked };
      else {
        const e: TimeEntryView = { id: nextNote++, technician: "Sam Tech", started_at: now.toISOString(), ended_at: now.toISOString(), minutes: Math.max(1, Math.ceil(worked / 60)), billable: true, work_type: "Remote Support", note: "", sync: sync(id), sync_note: null, editable: true, held: false };
        entries.set(id, [...(entries.get(id) ?? []), e]);
        next = null;
      }
      if (next) timers.set(id, next);
      else timers.delete(id);
      changed([id]);
      return detail(id);
    },
    add_time: (a) => {
      const id = a.id as number;
      const m = a.entry as { minutes: number; work_type: string | null; note: string | null };
      const e: TimeEntryView = { id: nextNote++, technician: "Sam Tech", started_at: new Date().toISOString(), ended_at: new Date().toISOString(), minutes: m.minutes, billable: true, work_type: m.work_type ?? "Remote Support", note: m.note ?? "", sync: sync(id), sync_note: null, editable: true, held: false };
      entries.set(id, [...(entries.get(id) ?? []), e]);
      changed([id]);
      return detail(id);
    },
    edit_time: (a) => {
      for (const [id, list] of entries) {
        const e = list.find((x) => x.id === a.entryId);
        if (e) {
          e.minutes = a.minutes as number;
          changed([id]);
          return detail(id);
        }
      }
      throw { code: "not_found", message: "No such time entry.", fix: null };
    },
    delete_time: (a) => {
      for (const [id, list] of entries) {
        if (list.some((x) => x.id === a.entryId)) {
          entries.set(id, list.filter((x) => x.id !== a.entryId));
          changed([id]);
          return detail(id);
        }
      }
      throw { code: "not_found", message: "No such time entry.", fix: null };
    },
    tenants: () => tenants.map((t) => ({ ...t })),
    save_tenant: (a) => {
      const t = a.tenant as TenantView;
      const i = tenants.findIndex((x) => x.id === t.id);
      const v = { ...t, psa_allowed: null };
      if (i >= 0) tenants[i] = v;
      else tenants.push(v);
      return v;
    },
    settings: () => ({ psa_url: "http://127.0.0.1:8080", psa_key_set: true, technician: "Sam Tech", default_tenant: "acme", ncentral_url: null, ncentral_psa_type: null, ncentral_login_set: false, time_increment_minutes: 15, time_work_type: "Remote Support", time_billable: true, time_auto_start: true, from_env: [], keychain_error: null }),
    save_settings: () => commands.settings?.({}),
    run_wizard: async () => {
      const steps: WizardStepView[] = [
        { step: "psa_reachable", title: "The PSA answers", status: "passed", message: "The PSA answered in 12 ms.", fix: null },
        { step: "psa_key", title: "The PSA accepts the service key", status: "failed", message: "The PSA refused the service key (401).", fix: "Paste a new service key from the PSA's admin page and save." },
        { step: "ncentral", title: "N-central", status: "skipped", message: "Not checked: it needs psa_key, which did not pass.", fix: null },
      ];
      for (const s of steps) {
        emit("wizard-step", { ...s, status: "running", message: "Checking…", fix: null });
        await new Promise((r) => setTimeout(r, 400));
        emit("wizard-step", s);
      }
      return steps;
    },
    sync_now: () => {
      status.psa = status.psa === "online" ? "offline" : "online";
      status.waiting = status.psa === "online" ? 0 : 3;
      status.last_error = status.psa === "online" ? null : "The PSA did not answer within 10 s.";
      emit("status", { ...status });
      emit("changed", { incidents: [], all: true } satisfies Changed);
      return null;
    },
    retry_write: (a) => detail(log.find((e) => e.outbox_id === a.outboxId)?.incident_id ?? 3),
    sync_log: () => log,
    psa_ticket: (a) => {
      const i = get(a.id as number);
      if (!i.psa_ticket_id) return null;
      return { id: i.psa_ticket_id, title: i.title, status: "In Progress", priority: "P2", source: "On-Call Auto", company: "Acme Dental", notes: (notes.get(i.id) ?? []).map((n) => ({ author: n.author, body: n.body })), time_entries: [], resolution: null };
    },
  };

  return {
    async invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
      await new Promise((r) => setTimeout(r, 5));
      const f = commands[cmd];
      if (!f) throw `command ${cmd} not found`;
      return (await f(args ?? {})) as T;
    },
    async listen<T>(event: string, handler: (p: T) => void): Promise<Unlisten> {
      const set = listeners.get(event) ?? new Set<Handler>();
      listeners.set(event, set);
      const h = handler as Handler;
      set.add(h);
      return () => set.delete(h);
    },
  };
}
