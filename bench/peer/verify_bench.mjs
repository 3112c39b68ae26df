// Verifies already-signed credentials with the reference stack; prints JSON timings.
// stdin {key, suite, credentials: [signed...], warmup}; used by bench/suite.py to put the
// peer's figure beside ours for the same credentials (Ed25519Signature2020, ecdsa-rdfc-2019).
import {performance} from 'node:perf_hooks';
import {readStdin} from './lib.mjs';
import {checkStatus, documentLoaderFor, verifyingSuite, vc} from './suites.mjs';

const input = await readStdin();
const documentLoader = documentLoaderFor(input.key, input.suite);
const suite = verifyingSuite(input.suite);
const verify = credential => vc.verifyCredential({credential, suite, documentLoader, checkStatus});

for(const credential of input.credentials.slice(0, input.warmup)) {
  const result = await verify(credential);
  if(!result.verified) {
    throw new Error(`warm-up credential did not verify: ${JSON.stringify(result.error ?? result)}`);
  }
}
const started = performance.now();
let verified = 0;
for(const credential of input.credentials) {
  verified += (await verify(credential)).verified ? 1 : 0;
}
const seconds = (performance.now() - started) / 1000;
if(verified !== input.credentials.length) {
  throw new Error(`only ${verified} of ${input.credentials.length} credentials verified`);
}
process.stdout.write(JSON.stringify({
  count: verified, verify_per_s: verified / seconds, node: process.version
}) + '\n');
