// The reference stack's suites beyond eddsa-rdfc-2022: Ed25519Signature2020 (verify), and
// ecdsa-rdfc-2019 / ecdsa-sd-2023 (sign, derive, verify). Same offline loader as lib.mjs.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsaRdfc2019CryptoSuite} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as ecdsaSd2023 from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';

import {makeDocumentLoader} from './lib.mjs';

export {vc};

const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';

// keyInfo: {controller, vmId, publicKeyMultibase, secretKeyMultibase?}; suite: a suite name.
// Ed25519Signature2020 verifies only with an Ed25519VerificationKey2020 method (v5 of the
// package); the Data Integrity suites read a Multikey.
export function documentLoaderFor(keyInfo, suite) {
  const legacy = suite === 'Ed25519Signature2020';
  const verificationMethod = {
    '@context': legacy ? ED25519_2020_CONTEXT : 'https://w3id.org/security/multikey/v1',
    id: keyInfo.vmId,
    type: legacy ? 'Ed25519VerificationKey2020' : 'Multikey',
    controller: keyInfo.controller,
    publicKeyMultibase: keyInfo.publicKeyMultibase
  };
  const controllerDocument = {
    '@context': 'https://www.w3.org/ns/cid/v1',
    id: keyInfo.controller,
    verificationMethod: [verificationMethod],
    assertionMethod: [keyInfo.vmId]
  };
  return makeDocumentLoader({controllerDocument, verificationMethod});
}

export function verifyingSuite(suite) {
  switch(suite) {
    case 'Ed25519Signature2020': return new Ed25519Signature2020();
    case 'eddsa-rdfc-2022': return new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
    case 'ecdsa-rdfc-2019': return new DataIntegrityProof({cryptosuite: ecdsaRdfc2019CryptoSuite});
    case 'ecdsa-sd-2023':
      return new DataIntegrityProof({cryptosuite: ecdsaSd2023.createVerifyCryptosuite()});
    default: throw new Error(`the peer has no suite ${suite}`);
  }
}

export async function ecdsaSigner(keyInfo) {
  const keyPair = await EcdsaMultikey.from({
    id: keyInfo.vmId,
    controller: keyInfo.controller,
    publicKeyMultibase: keyInfo.publicKeyMultibase,
    secretKeyMultibase: keyInfo.secretKeyMultibase
  });
  return keyPair.signer();
}

// Status is outside what is checked here (our side checks only the proof too).
export const checkStatus = async () => ({verified: true});
