import { flushSync, mount, unmount, type Component } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { IncidentView as Detail } from "../bindings/IncidentView";
import type { NoteView } from "../bindings/NoteView";
import IncidentDetail from "../components/IncidentDetail.svelte";
import IncidentList from "../components/IncidentList.svelte";
import NewIncidentDialog from "../components/NewIncidentDialog.svelte";
import Notes from "../components/Notes.svelte";
import SettingsView from "../components/SettingsView.svelte";
import SyncBadge from "../components/SyncBadge.svelte";
import TimePanel from "../components/TimePanel.svelte";
import Toasts from "../components/Toasts.svelte";
import { toUiError } from "../lib/api";
import { DraftSaver } from "../lib/draft";
import { IncidentPager } from "../lib/pager";
import { toasts } from "../lib/toasts.svelte";
import { fakeBackend, settle } from "./fake";

const XSS = '<img src=x onerror="window.__pwned=1">\n<script>window.__pwned=2</script>';

function note(id: number, body: string, extra: Partial<NoteView> = {}): NoteView {
  return { id, author: "Sam", body, created_at: "2026-11-25T10:00:00Z", sync: "synced", sync_error: null, outbox_id: null, ...extra };
}

function detail(over: Partial<Detail["incident"]> = {}, rest: Partial<Detail> = {}): Detail {
  return {
    incident: {
      id: 42,
      tenant_id: "acme",
      title: "Ransomware behaviour blocked",
      description: "first line\nsecond line",
      severity: "critical",
      status: "new",
      alert_source: "N-central",
      product: null,
      device_name: null,
      hostname: null,
      mitre_technique_id: null,
      mitre_technique_name: null,
      recommended_action: null,
      created_at: "2026-11-25T10:00:00Z",
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      resolved_by: null,
      resolution_summary: null,
      psa_ticket_id: null,
      syncs_to_psa: true,
      ...over,
    },
    company: "Acme Dental",
    ticket_sync: "waiting",
    ticket_error: null,
    ticket_note: null,
    notes: [],
    timers: [],
    time_entries: [],
    draft: null,
    writes: [],
    ...rest,
  };
}

let mounted: Record<string, unknown>[] = [];
function put<P extends Record<string, unknown>>(C: Component<P, Record<string, unknown>, string>, props: P) {
  const target = document.createElement("div");
  document.body.append(target);
  const c = mount(C, { target, props });
  mounted.push(c);
  flushSync();
  return target;
}
const q = (root: ParentNode, id: string) => root.querySelector(`[data-testid="${id}"]`);

afterEach(() => {
  mounted.forEach((c) => unmount(c));
  mounted = [];
  document.body.innerHTML = "";
  vi.useRealTimers();
});

describe("notes", () => {
  it("shows a note with HTML as text, line breaks kept, and runs none of it", () => {
    fakeBackend({});
    const root = put(Notes, {
      incidentId: 1,
      notes: [note(5, XSS)],
      draft: null,
      saver: new DraftSaver(async () => null),
      psaReachable: true,
      syncsToPsa: true,
    });
    const body = q(root, "note-5")?.querySelector(".note-body");
    expect(body?.textContent).toBe(XSS);
    expect(root.querySelector("img")).toBeNull();
    expect(root.querySelector("script")).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    expect(q(root, "note-sync-5")?.textContent).toBe("in PSA");
  });

  it("shows the PSA's reason for a refused note and retries it", async () => {
    const b = fakeBackend({ retry_write: () => detail() });
    const root = put(Notes, {
      incidentId: 1,
      notes: [note(6, "too long", { sync: "refused", sync_error: "Body over 4000 characters", outbox_id: 77 })],
      draft: null,
      saver: new DraftSaver(async () => null),
      psaReachable: true,
      syncsToPsa: true,
    });
    expect(q(root, "note-sync-6")?.textContent).toBe("refused");
    expect(q(root, "note-6")?.textContent).toContain("Body over 4000 characters");
    (q(root, "retry-77") as HTMLButtonElement).click();
    await settle(flushSync);
    expect(b.calls).toContainEqual({ cmd: "retry_write", args: { outboxId: 77 } });
  });

  it("opens with the saved draft, saves typing as a draft, and posting clears it", async () => {
    vi.useFakeTimers();
    const b = fakeBackend({ save_draft: () => null, add_note: (a) => detail({ id: 3 }, { notes: [note(9, a.body as string)] }) });
    const root = put(Notes, {
      incidentId: 3,
      notes: [],
      draft: "half a thought",
      saver: new DraftSaver((id, body) => import("../lib/api").then((m) => m.api.saveDraft(id, body))),
      psaReachable: false,
      syncsToPsa: true,
    });
    const box = q(root, "note-input") as HTMLTextAreaElement;
    expect(box.value).toBe("half a thought");
    box.value = "half a thought, finished";
    box.dispatchEvent(new Event("input", { bubbles: true }));
    flushSync();
    await vi.advanceTimersByTimeAsync(350);
    expect(b.calls).toContainEqual({ cmd: "save_draft", args: { id: 3, body: "half a thought, finished" } });
    expect(root.textContent).toContain("will be sent when the PSA is reachable");

    box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, bubbles: true, cancelable: true }));
    await vi.advanceTimersByTimeAsync(10);
    flushSync();
    expect(b.calls).toContainEqual({ cmd: "add_note", args: { id: 3, body: "half a thought, finished" } });
    expect(box.value).toBe("");
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.calls.filter((c) => c.cmd === "save_draft")).toHaveLength(1);
  });
});

describe("sync badge", () => {
  it("pairs an icon with the word, never colour alone", () => {
    const root = put(SyncBadge, { sync: "local", testid: "s" });
    expect(q(root, "s")?.textContent).toBe("local only");
    expect(root.querySelector("svg")).not.toBeNull();
  });
});

describe("incident detail", () => {
  it("shows the incident, no ticket with a Link button, and Acknowledge while new", async () => {
    const b = fakeBackend({ incident: () => detail(), acknowledge: () => detail({ status: "acknowledged" }) });
    const root = put(IncidentDetail, { id: 42, info: null, psa: "online", refresh: 0, saver: new DraftSaver(async () => null), onshowlog: () => {} });
    await settle(flushSync);
    expect(q(root, "detail-title")?.textContent).toBe("Ransomware behaviour blocked");
    expect(q(root, "psa-ticket-id")?.textContent).toBe("no ticket");
    expect(q(root, "link-ticket")).not.toBeNull();
    expect(q(root, "defend")).toBeNull();
    (q(root, "ack") as HTMLButtonElement).click();
    await settle(flushSync);
    expect(b.calls).toContainEqual({ cmd: "acknowledge", args: { id: 42 } });
  });

  it("shows the Defend block only when the incident has Defend details, as text", async () => {
    fakeBackend({
      incident: () =>
        detail({
          title: "<b>bold?</b>",
          product: "Defend",
          psa_ticket_id: "T-1001",
          device_name: "PC-7",
          mitre_technique_id: "T1059.001",
          mitre_technique_name: "PowerShell",
          recommended_action: "Isolate",
        }),
    });
    const root = put(IncidentDetail, { id: 42, info: null, psa: "online", refresh: 0, saver: new DraftSaver(async () => null), onshowlog: () => {} });
    await settle(flushSync);
    expect(q(root, "detail-title")?.textContent).toBe("<b>bold?</b>");
    expect(root.querySelector("b")).toBeNull();
    expect(q(root, "defend")?.textContent).toContain("T1059.001 · PowerShell");
    expect(q(root, "psa-ticket-id")?.textContent).toBe("T-1001");
    expect(q(root, "link-ticket")).toBeNull();
  });

  it("ticks this technician's running timer every second and lists the others'", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    vi.setSystemTime(Date.parse("2026-11-25T10:00:00Z"));
    fakeBackend({
      incident: () =>
        detail(
          { status: "acknowledged" },
          {
            timers: [
              { technician: "Alex", running: false, running_since: null, worked_seconds: 300 },
              { technician: "Sam", running: true, running_since: "2026-11-25T09:58:00Z", worked_seconds: 120 },
            ],
          },
        ),
    });
    const info = { demo: false, technician: "Sam", default_tenant: null, db_path: "", version: "" };
    const root = put(IncidentDetail, { id: 42, info, psa: "online", refresh: 0, saver: new DraftSaver(async () => null), onshowlog: () => {} });
    await settle(flushSync);
    expect(q(root, "timer-elapsed")?.textContent).toBe("2:00");
    vi.advanceTimersByTime(3000);
    flushSync();
    expect(q(root, "timer-elapsed")?.textContent).toBe("2:03");
    expect(q(root, "timer-toggle")?.textContent).toContain("Pause");
    expect(q(root, "timer-other")?.textContent).toContain("Alex: 5:00 (paused)");
  });

  it("offers Retry on a refused resolution or time write", async () => {
    const b = fakeBackend({
      incident: () => detail({}, { writes: [{ outbox_id: 31, kind: "resolve", sync: "refused", attempts: 3, message: "Ticket closed already" }] }),
      retry_write: () => detail({}, { writes: [] }),
    });
    const root = put(IncidentDetail, { id: 42, info: null, psa: "online", refresh: 0, saver: new DraftSaver(async () => null), onshowlog: () => {} });
    await settle(flushSync);
    expect(q(root, "write-31")?.textContent).toContain("Ticket closed already");
    (q(root, "retry-31") as HTMLButtonElement).click();
    await settle(flushSync);
    expect(b.calls).toContainEqual({ cmd: "retry_write", args: { outboxId: 31 } });
  });
});

describe("time", () => {
  it("adds a manual entry from the minutes typed (a number input gives a number)", async () => {
    const b = fakeBackend({ add_time: () => detail() });
    const onchanged = vi.fn();
    const root = put(TimePanel, { incidentId: 42, timers: [], technician: "Sam", readAt: 0, entries: [], resolved: false, onview: onchanged });
    const minutes = q(root, "time-add-minutes") as HTMLInputElement;
    minutes.value = "20";
    minutes.dispatchEvent(new Event("input", { bubbles: true }));
    flushSync();
    (q(root, "time-add") as HTMLButtonElement).click();
    await settle(flushSync);
    expect(b.calls).toContainEqual({ cmd: "add_time", args: { id: 42, entry: { minutes: 20, work_type: null, note: null, billable: null } } });
    expect(onchanged).toHaveBeenCalled();
  });
});

describe("held time", () => {
  it("offers to confirm an entry held past the timer limit, and only that one", async () => {
    const b = fakeBackend({ confirm_time: () => detail() });
    const entry = (id: number, held: boolean) => ({
      id,
      technician: "Sam",
      started_at: "2026-11-24T20:00:00Z",
      ended_at: "2026-11-25T10:00:00Z",
      minutes: 840,
      billable: true,
      work_type: "Remote Support",
      note: "",
      sync: "local" as const,
      sync_note: held ? "the timer ran 14h 00m, longer than the 12h 00m limit" : null,
      editable: true,
      held,
    });
    const root = put(TimePanel, { incidentId: 42, timers: [], technician: "Sam", readAt: 0, entries: [entry(7, true), entry(8, false)], resolved: false, onview: vi.fn() });
    expect(q(root, "time-confirm-8")).toBeNull();
    (q(root, "time-confirm-7") as HTMLButtonElement).click();
    await settle(flushSync);
    expect(b.calls).toContainEqual({ cmd: "confirm_time", args: { entryId: 7, minutes: null } });
  });
});

describe("incident list", () => {
  it("renders only the rows in view out of 100,000, with the count", async () => {
    const pager = new IncidentPager(async (qy) => ({
      total: 100_000,
      rows: Array.from({ length: qy.limit }, (_, i) => ({
        id: qy.offset + i + 1,
        title: `Incident ${qy.offset + i + 1}`,
        severity: "high" as const,
        status: "new" as const,
        tenant_id: "acme",
        company: "Acme",
        created_at: "2026-11-25T10:00:00Z",
        psa_ticket_id: null,
        sync: "waiting" as const,
      })),
    }));
    await pager.ensure(0, 50);
    const root = put(IncidentList, { pager, version: 1, tenants: [], selectedId: 2, now: Date.parse("2026-11-25T12:00:00Z"), onselect: () => {}, onopen: () => {}, onnew: () => {} });
    await settle(flushSync);
    const rows = root.querySelectorAll('[data-testid^="incident-row-"]');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(60);
    expect(q(root, "incident-count")?.textContent).toMatch(/^100\D000$/);
    const r2 = q(root, "incident-row-2");
    expect(r2?.classList.contains("selected")).toBe(true);
    expect(r2?.textContent).toContain("High");
    expect(r2?.textContent).toContain("2h");
    expect(r2?.textContent).toContain("waiting");
  });

  it("says what to do when there are no incidents", async () => {
    const pager = new IncidentPager(async () => ({ total: 0, rows: [] }));
    await pager.ensure(0, 10);
    const root = put(IncidentList, { pager, version: 1, tenants: [], selectedId: null, now: Date.now(), onselect: () => {}, onopen: () => {}, onnew: () => {} });
    expect(root.textContent).toContain("No incidents. Press c to raise one.");
  });
});

describe("errors", () => {
  it("turns whatever a command rejects with into message + fix, and shows both", () => {
    expect(toUiError({ code: "psa", message: "The PSA refused the key.", fix: "Open Settings and paste a new key." })).toEqual({
      code: "psa",
      message: "The PSA refused the key.",
      fix: "Open Settings and paste a new key.",
    });
    expect(toUiError("command foo not found")).toEqual({ code: "internal", message: "command foo not found", fix: null });
    expect(toUiError(undefined).fix).not.toBeNull();
    // A code this build does not know reads as internal; message and fix still show.
    expect(toUiError({ code: "brand_new", message: "m", fix: "f" })).toEqual({ code: "internal", message: "m", fix: "f" });
    const root = put(Toasts, {});
    toasts.error({ code: "psa", message: "The PSA refused the key.", fix: "Open Settings and paste a new key." });
    flushSync();
    expect(q(root, "toast")?.textContent).toContain("The PSA refused the key.");
    expect(q(root, "toast")?.textContent).toContain("Open Settings and paste a new key.");
  });
});

describe("new incident", () => {
  it("shows the Defend fields for a Defend product and sends them with the incident", async () => {
    const b = fakeBackend({ new_incident: () => detail() });
    const oncreated = vi.fn();
    const root = put(NewIncidentDialog, {
      tenants: [{ id: "acme", org_id: "1", company: "Acme", psa_allowed: true }],
      defaultTenant: "acme",
      onclose: () => {},
      oncreated,
    });
    const dlg = document.body;
    const type = (id: string, v: string) => {
      const el = q(dlg, id) as HTMLInputElement;
      el.value = v;
      el.dispatchEvent(new Event("input", { bubbles: true }));
      flushSync();
    };
    expect(q(dlg, "ni-device")).toBeNull();
    type("ni-title", "EDR alert");
    type("ni-product", "Defend");
    expect(q(dlg, "ni-device")).not.toBeNull();
    type("ni-device", "PC-7");
    type("ni-mitre-id", "T1059");
    (q(dlg, "ni-submit") as HTMLButtonElement).click();
    await settle(flushSync);
    const call = b.calls.find((c) => c.cmd === "new_incident");
    expect(call?.args.input).toMatchObject({
      tenant_id: "acme",
      title: "EDR alert",
      severity: "medium",
      product: "Defend",
      defend: { device_name: "PC-7", hostname: null, mitre_technique_id: "T1059", mitre_technique_name: null, recommended_action: null },
    });
    expect(oncreated).toHaveBeenCalledWith(42);
    expect(root).toBeDefined();
  });
});

describe("settings", () => {
  it("never fills secrets back, shows steps as wizard events arrive, and the final list wins", async () => {
    let finish: (v: unknown) => void = () => {};
    const b = fakeBackend({
      settings: () => ({
        psa_url: "https://psa.example",
        psa_key_set: true,
        technician: "Sam",
        default_tenant: null,
        ncentral_url: null,
        ncentral_psa_type: null,
        ncentral_login_set: false,
        time_increment_minutes: 15,
        time_work_type: "Remote Support",
        time_billable: true,
        time_auto_start: false,
        from_env: [],
        keychain_error: null,
      }),
      run_wizard: () => new Promise((r) => (finish = r)),
    });
    const root = put(SettingsView, { tenants: [], onsaved: () => {} });
    await settle(flushSync);
    expect((q(root, "set-psa-key") as HTMLInputElement).value).toBe("");
    expect(q(root, "set-psa-key-state")?.textContent).toBe("set");
    expect((q(root, "set-technician") as HTMLInputElement).value).toBe("Sam");
    (q(root, "wizard-run") as HTMLButtonElement).click();
    await settle(flushSync);
    b.emit("wizard-step", { step: "one_psa", title: "The One PSA", status: "running", message: "Checking", fix: null });
    flushSync();
    expect(q(root, "wizard-step-one_psa")?.getAttribute("data-status")).toBe("running");
    b.emit("wizard-step", { step: "one_psa", title: "The One PSA", status: "failed", message: "401", fix: "Paste a new key." });
    flushSync();
    expect(q(root, "wizard-step-one_psa")?.getAttribute("data-status")).toBe("failed");
    expect(q(root, "wizard-step-one_psa")?.textContent).toContain("Paste a new key.");
    finish([
      { step: "one_psa", title: "The One PSA", status: "failed", message: "401", fix: "Paste a new key." },
      { step: "ncentral", title: "N-central", status: "skipped", message: "Not checked", fix: null },
    ]);
    await settle(flushSync);
    expect(q(root, "wizard-step-ncentral")?.getAttribute("data-status")).toBe("skipped");
  });
});
