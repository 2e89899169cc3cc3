// The demo PSA's ticket JSON (shape not ours to type) read into a card the technician can scan.

export interface PsaCard {
  fields: [string, string][];
  notes: { author: string; body: string }[];
}

function obj(v: unknown): Record<string, unknown> | null {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function str(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

export function readPsaTicket(t: unknown): PsaCard | null {
  const o = obj(t);
  if (!o) return null;
  const fields: [string, string][] = [];
  const put = (label: string, v: unknown) => {
    const s = str(v);
    if (s !== null && s !== "") fields.push([label, s]);
  };
  put("Ticket", o.id);
  put("Status", o.status);
  put("Priority", o.priority);
  put("Source", o.source);
  put("Company", o.company);
  put("Assigned", o.assigned_tech);
  const notes = Array.isArray(o.notes) ? o.notes.map(obj).filter((n) => n !== null) : [];
  fields.push(["Notes", String(notes.length)]);
  const entries = Array.isArray(o.time_entries) ? o.time_entries.map(obj).filter((n) => n !== null) : [];
  const minutes = entries.reduce((s, e) => s + (typeof e.minutes === "number" ? e.minutes : 0), 0);
  fields.push(["Time entries", entries.length === 0 ? "0" : `${entries.length} (${minutes} min)`]);
  const res = obj(o.resolution);
  if (res) {
    const by = str(res.resolved_by);
    const summary = str(res.summary);
    fields.push(["Resolution", [summary ?? "(no summary)", by ? `by ${by}` : null].filter(Boolean).join(" ")]);
  } else {
    fields.push(["Resolution", "open"]);
  }
  return {
    fields,
    notes: notes.map((n) => ({ author: str(n.author) ?? "", body: str(n.body) ?? "" })),
  };
}
