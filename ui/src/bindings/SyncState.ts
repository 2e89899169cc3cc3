// provisional: replaced by ts-rs output

export type SyncState = "local" | "waiting" | "synced" | "refused";
