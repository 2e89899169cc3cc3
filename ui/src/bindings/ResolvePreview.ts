// provisional: replaced by ts-rs output

export type ResolvePreview = { minutes: number; increment_minutes: number; worked_seconds: number };
