// provisional: replaced by ts-rs output

export type Status = "new" | "acknowledged" | "resolved";
