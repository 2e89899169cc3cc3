// provisional: replaced by ts-rs output

export type SettingsInput = { psa_url: string | null; technician: string | null; default_tenant: string | null; ncentral_url: string | null; ncentral_psa_type: string | null; time_increment_minutes: number | null; time_work_type: string | null; time_billable: boolean | null; time_auto_start: boolean | null };
