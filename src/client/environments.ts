/** The register's published endpoints and HelseID issuers (SPEC §4–5). */
export interface RegisterEnvironment {
  apiBaseUrl: string;
  issuer: string;
  /** SHA-1 thumbprint of the register's encryption certificate in this environment. */
  registerThumbprint: string;
}

export const ENVIRONMENTS = {
  test: {
    apiBaseUrl: 'https://test-fhirmottak.lmr.fhi.no/fhirmottak/v1',
    issuer: 'https://helseid-sts.test.nhn.no',
    registerThumbprint: 'EDAC21AAF1AAF5DEFFDF6EDE4D4F6029015C6086',
  },
  prod: {
    apiBaseUrl: 'https://fhirmottak.lmr.fhi.no/fhirmottak/v1',
    issuer: 'https://helseid-sts.nhn.no',
    registerThumbprint: '0C1C01A944A834C14DD0DF3EE4973D3B2C7B115A',
  },
} as const satisfies Record<string, RegisterEnvironment>;

export type EnvironmentName = keyof typeof ENVIRONMENTS;

export const LMR_SCOPE = 'fhi:lmr.fhirmottak/api';
