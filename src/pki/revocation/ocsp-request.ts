import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SHA1_OID, type CertIdParts } from './cert-id.js';

/** id-pkix-ocsp-nonce (RFC 8954). */
export const OCSP_NONCE_OID = '1.3.6.1.5.5.7.48.1.2';

/** Builds the DER of an unsigned OCSP request for one certificate, with an optional nonce. */
export function buildOcspRequest(id: CertIdParts, nonce?: Uint8Array): Uint8Array {
  const certId = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: SHA1_OID,
      algorithmParams: new asn1js.Null(),
    }),
    issuerNameHash: new asn1js.OctetString({ valueHex: id.issuerNameHash }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: id.issuerKeyHash }),
    serialNumber: new asn1js.Integer({ valueHex: Buffer.from(id.serialHex, 'hex') }),
  });
  const request = new pkijs.OCSPRequest();
  request.tbsRequest.requestList = [new pkijs.Request({ reqCert: certId })];
  if (nonce) {
    request.tbsRequest.requestExtensions = [
      new pkijs.Extension({
        extnID: OCSP_NONCE_OID,
        critical: false,
        extnValue: new asn1js.OctetString({ valueHex: nonce }).toBER(),
      }),
    ];
  }
  return new Uint8Array(request.toSchema(true).toBER());
}
