// provisional: replaced by ts-rs output

export type SecretsInput = { psa_key: string | null; ncentral_jwt: string | null; ncentral_integration_key: string | null; ncentral_username: string | null; ncentral_password: string | null };
