// provisional: replaced by ts-rs output

export type ManualEntry = { minutes: number; work_type: string | null; note: string | null; billable: boolean | null };
