// Signs then verifies N credentials with the reference stack; prints JSON timings.
// Input (stdin): {key: {...}, created, credentials: [unsigned...], warmup}
import {performance} from 'node:perf_hooks';
import {readStdin, setUp, vc} from './lib.mjs';

const input = await readStdin();
const {documentLoader, signingSuite, verifyingSuite, checkStatus} = await setUp(input.key);
const date = new Date(input.created);
const sign = credential => vc.issue({credential: structuredClone(credential), suite: signingSuite(date), documentLoader});
const verify = credential => vc.verifyCredential({credential, suite: verifyingSuite, documentLoader, checkStatus});

for(const credential of input.credentials.slice(0, input.warmup)) {
  const result = await verify(await sign(credential));
  if(!result.verified) {
    throw new Error(`warm-up credential did not verify: ${JSON.stringify(result.error ?? result)}`);
  }
}
const signed = [];
let started = performance.now();
for(const credential of input.credentials) {
  signed.push(await sign(credential));
}
const signSeconds = (performance.now() - started) / 1000;
started = performance.now();
let verified = 0;
for(const credential of signed) {
  verified += (await verify(credential)).verified ? 1 : 0;
}
const verifySeconds = (performance.now() - started) / 1000;
if(verified !== signed.length) {
  throw new Error(`only ${verified} of ${signed.length} credentials verified`);
}
process.stdout.write(JSON.stringify({
  count: signed.length,
  sign_per_s: signed.length / signSeconds,
  verify_per_s: signed.length / verifySeconds,
  node: process.version,
  first_signed: signed[0]
}) + '\n');
