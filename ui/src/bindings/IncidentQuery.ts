// provisional: replaced by ts-rs output
import type { Severity } from "./Severity";
import type { Status } from "./Status";

export type IncidentQuery = { status: Status | null; severity: Severity | null; tenant_id: string | null; search: string | null; offset: number; limit: number };
