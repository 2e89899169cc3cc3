// provisional: replaced by ts-rs output

export type AppInfo = { demo: boolean; technician: string | null; default_tenant: string | null; db_path: string; version: string };
