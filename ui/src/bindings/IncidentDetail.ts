// provisional: replaced by ts-rs output
import type { Incident } from "./Incident";
import type { NoteView } from "./NoteView";
import type { SyncState } from "./SyncState";
import type { TimeEntryView } from "./TimeEntryView";
import type { TimerView } from "./TimerView";

export type IncidentDetail = { incident: Incident; company: string; ticket_sync: SyncState; ticket_error: string | null; notes: Array<NoteView>; timer: TimerView | null; time_entries: Array<TimeEntryView>; draft: string | null };
