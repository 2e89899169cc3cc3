// provisional: replaced by ts-rs output

export type Severity = "critical" | "high" | "medium" | "low";
