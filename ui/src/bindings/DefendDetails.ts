// provisional: replaced by ts-rs output

export type DefendDetails = { device_name: string | null; hostname: string | null; mitre_technique_id: string | null; mitre_technique_name: string | null; recommended_action: string | null };
