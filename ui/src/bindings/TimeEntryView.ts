// provisional: replaced by ts-rs output
import type { SyncState } from "./SyncState";

export type TimeEntryView = { id: number; technician: string; started_at: string; ended_at: string; minutes: number; billable: boolean; work_type: string; note: string | null; sync: SyncState; sync_error: string | null; editable: boolean };
