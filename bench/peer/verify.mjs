// Verifies one credential with the reference stack: stdin {key, credential, served?} (served:
// documents by URL fetched from the issuing installation, e.g. its extension context);
// prints {verified, error?}. Used by tests/vc/test_js_interop.py.
import {readStdin, setUp, vc} from './lib.mjs';

const input = await readStdin();
const {documentLoader, verifyingSuite, checkStatus} = await setUp(input.key, {served: input.served});
const result = await vc.verifyCredential({
  credential: input.credential, suite: verifyingSuite, documentLoader, checkStatus
});
const error = result.error ? String(result.error.errors?.map(String) ?? result.error) : undefined;
process.stdout.write(JSON.stringify({verified: result.verified, error}) + '\n');
