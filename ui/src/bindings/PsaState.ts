// provisional: replaced by ts-rs output

export type PsaState = "online" | "offline" | "not_configured" | "key_refused";
