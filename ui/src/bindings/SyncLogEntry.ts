// provisional: replaced by ts-rs output

export type SyncLogEntry = { outbox_id: number; incident_id: number; at: string; kind: "create_ticket" | "add_note" | "resolve" | "add_time_entry"; result: "delivered" | "retry" | "refused"; message: string };
