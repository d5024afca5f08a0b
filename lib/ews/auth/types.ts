/**
 * The endpoint hosts (`mail.contoso.com`, no scheme, port or path) the credentials may be sent to.
 * Part of the secret, so whoever can write a registry row cannot point them elsewhere; enforced by
 * the mail source before anything is sent (lib/adapters/secrets/allowed-hosts.ts has the defaults).
 */
export interface EndpointBinding {
  allowedHosts?: string[];
}

/** What a mailbox's credentialsRef resolves to (the secret's content). */
export type EwsCredentials =
  | ({ type: 'basic'; username: string; password: string } & EndpointBinding)
  | ({
      type: 'oauth2';
      tenantId: string;
      clientId: string;
      clientSecret: string;
      /** Overrides the Microsoft identity platform token endpoint (tests, sovereign clouds). */
      tokenUrl?: string;
    } & EndpointBinding);

/** Supplies the Authorization header of EWS calls. */
export interface AuthProvider {
  readonly scheme: 'Basic' | 'Bearer';
  authorization(signal?: AbortSignal): Promise<string>;
  /**
   * The server answered 401 to `authorization`. Returns true when a retry with a fresh credential
   * may succeed (a cached token was dropped); false when retrying would send the same thing.
   */
  rejected(authorization: string): boolean;
}
