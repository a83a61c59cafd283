import { describe, expect, it } from 'vitest';
import { describeSocketError, tlsFindingOf } from '../../src/client/transport/tls-errors.js';

describe('the socket and TLS error table', () => {
  it('describes a known code in plain words and keeps the code', () => {
    expect(describeSocketError('DEPTH_ZERO_SELF_SIGNED_CERT')).toBe(
      'the TLS certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)',
    );
    expect(describeSocketError('ECONNREFUSED')).toBe(
      'connection refused (nothing listens on that port) (ECONNREFUSED)',
    );
  });

  it('returns an unknown code, and a finding without words, as it is', () => {
    expect(describeSocketError('EWHATEVER')).toBe('EWHATEVER');
    expect(describeSocketError('UNABLE_TO_GET_ISSUER_CERT')).toBe('UNABLE_TO_GET_ISSUER_CERT');
  });

  it('judges each certificate refusal, and nothing else, as a TLS finding', () => {
    expect(tlsFindingOf('DEPTH_ZERO_SELF_SIGNED_CERT')).toBe('tls-self-signed');
    expect(tlsFindingOf('SELF_SIGNED_CERT_IN_CHAIN')).toBe('tls-unknown-ca');
    expect(tlsFindingOf('UNABLE_TO_GET_ISSUER_CERT_LOCALLY')).toBe('tls-unknown-ca');
    expect(tlsFindingOf('UNABLE_TO_GET_ISSUER_CERT')).toBe('tls-unknown-ca');
    expect(tlsFindingOf('UNABLE_TO_VERIFY_LEAF_SIGNATURE')).toBe('tls-issuer-unknown');
    expect(tlsFindingOf('CERT_HAS_EXPIRED')).toBe('tls-expired');
    expect(tlsFindingOf('CERT_NOT_YET_VALID')).toBe('tls-not-yet-valid');
    expect(tlsFindingOf('ERR_TLS_CERT_ALTNAME_INVALID')).toBe('tls-wrong-name');
    expect(tlsFindingOf('ECONNREFUSED')).toBeUndefined();
    expect(tlsFindingOf('EWHATEVER')).toBeUndefined();
  });
});
