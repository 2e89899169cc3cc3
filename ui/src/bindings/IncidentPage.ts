// provisional: replaced by ts-rs output
import type { IncidentRow } from "./IncidentRow";

export type IncidentPage = { total: number; rows: Array<IncidentRow> };
