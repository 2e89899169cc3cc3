// provisional: replaced by ts-rs output

export type TimerView = { running: boolean; started_at: string | null; worked_seconds: number; technician: string };
