// provisional: replaced by ts-rs output
import type { PsaState } from "./PsaState";

export type StatusBar = { psa: PsaState; waiting: number; refused: number; last_error: string | null; timers_running: number };
