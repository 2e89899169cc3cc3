// provisional: replaced by ts-rs output
import type { DefendDetails } from "./DefendDetails";
import type { Severity } from "./Severity";
import type { Status } from "./Status";

export type Incident = { id: number; tenant_id: string; title: string; description: string; severity: Severity; status: Status; alert_source: string | null; product: string | null; defend: DefendDetails; created_at: string; acknowledged_at: string | null; acknowledged_by: string | null; resolved_at: string | null; resolved_by: string | null; resolution_summary: string | null; psa_ticket_id: string | null; syncs_to_psa: boolean };
