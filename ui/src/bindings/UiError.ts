// provisional: replaced by ts-rs output

export type UiError = { code: string; message: string; fix: string | null };
