// ECDSA with the reference stack. stdin {action, key, created?, credential, suite?,
// mandatoryPointers?, selectivePointers?}; prints JSON. Used by tests/vc/test_js_interop_suites.py.
//   sign-rdfc: the credential signed with ecdsa-rdfc-2019 (P-256 or P-384, by the key);
//   sign-sd:   {base, derived}: an ecdsa-sd-2023 base proof (mandatoryPointers), then the
//              holder's derived credential disclosing selectivePointers, checked by the peer;
//   verify:    {verified, error?} for the credential under `suite`.
import {readStdin} from './lib.mjs';
import {checkStatus, documentLoaderFor, ecdsaSigner, verifyingSuite, vc} from './suites.mjs';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as ecdsaRdfc2019CryptoSuite} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as ecdsaSd2023 from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';

const input = await readStdin();
const suiteName = input.suite ?? (input.action === 'sign-sd' ? 'ecdsa-sd-2023' : 'ecdsa-rdfc-2019');
const documentLoader = documentLoaderFor(input.key, suiteName);
const verify = async (credential, suite) => {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  const error = result.error ? String(result.error.errors?.map(String) ?? result.error) : undefined;
  return {verified: result.verified, error};
};

let output;
if(input.action === 'sign-rdfc') {
  const suite = new DataIntegrityProof({
    signer: await ecdsaSigner(input.key), date: new Date(input.created), cryptosuite: ecdsaRdfc2019CryptoSuite
  });
  output = await vc.issue({credential: input.credential, suite, documentLoader});
} else if(input.action === 'sign-sd') {
  const suite = new DataIntegrityProof({
    signer: await ecdsaSigner(input.key),
    date: new Date(input.created),
    cryptosuite: ecdsaSd2023.createSignCryptosuite({mandatoryPointers: input.mandatoryPointers ?? []})
  });
  const base = await vc.issue({credential: input.credential, suite, documentLoader});
  const derived = await vc.derive({
    verifiableCredential: base,
    suite: new DataIntegrityProof({
      cryptosuite: ecdsaSd2023.createDiscloseCryptosuite({selectivePointers: input.selectivePointers ?? []})
    }),
    documentLoader
  });
  const check = await verify(derived, verifyingSuite('ecdsa-sd-2023'));
  if(!check.verified) {
    throw new Error(`the peer does not verify its own derived credential: ${check.error}`);
  }
  output = {base, derived};
} else if(input.action === 'verify') {
  output = await verify(input.credential, verifyingSuite(suiteName));
} else {
  throw new Error(`unknown action ${input.action}`);
}
process.stdout.write(JSON.stringify(output) + '\n');
