// Signs one credential with the reference stack: stdin {key (with secret), created,
// credential}; prints the signed credential. Used by tests/vc/test_js_interop.py.
import {readStdin, setUp, vc} from './lib.mjs';

const input = await readStdin();
const {documentLoader, signingSuite} = await setUp(input.key);
const signed = await vc.issue({
  credential: input.credential, suite: signingSuite(new Date(input.created)), documentLoader
});
process.stdout.write(JSON.stringify(signed) + '\n');
