// provisional: replaced by ts-rs output
import type { Severity } from "./Severity";
import type { Status } from "./Status";
import type { SyncState } from "./SyncState";

export type IncidentRow = { id: number; title: string; severity: Severity; status: Status; tenant_id: string; company: string; created_at: string; psa_ticket_id: string | null; sync: SyncState };
