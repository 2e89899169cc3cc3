// provisional: replaced by ts-rs output
import type { SyncState } from "./SyncState";

export type NoteView = { id: number; author: string; body: string; created_at: string; sync: SyncState; sync_error: string | null; outbox_id: number | null };
