// provisional: replaced by ts-rs output

export type WizardStep = { step: string; status: "passed" | "failed" | "skipped" | "running"; message: string; fix: string | null };
