// provisional: replaced by ts-rs output

export type SettingsView = { psa_url: string | null; psa_key_set: boolean; technician: string | null; default_tenant: string | null; ncentral_url: string | null; ncentral_psa_type: string | null; ncentral_login_set: boolean; time_increment_minutes: number; time_work_type: string; time_billable: boolean; time_auto_start: boolean; from_env: Array<string> };
