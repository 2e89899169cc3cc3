// provisional: replaced by ts-rs output

export type TenantView = { id: string; org_id: string; company: string; psa_allowed: boolean | null };
