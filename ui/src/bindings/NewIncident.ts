// provisional: replaced by ts-rs output
import type { DefendDetails } from "./DefendDetails";

export type NewIncident = { tenant_id: string; title: string; description: string; severity: string; alert_source: string | null; product: string | null; defend: DefendDetails };
