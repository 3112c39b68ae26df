// Verifies one credential with the reference stack as a fetching verifier would (ADR 0041):
// stdin {credential, reachable: [host, ...]}; prints {verified, fetched, error?}.
// The official W3C/1EdTech contexts come from Microcred's bundle (as a verifier ships them);
// everything else, our extension context and the issuer's key included, is fetched over HTTP,
// and only from the hosts in `reachable` (the running installation). Used by
// tests/credentials/test_extension_context_live.py.
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import path from 'node:path';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {readStdin, vc} from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONTEXTS = path.resolve(here, '../../microcred/credentials/vc/contexts');
const OFFICIAL_HOSTS = new Set(['www.w3.org', 'w3id.org', 'purl.imsglobal.org']);

function officialContexts() {
  const manifest = JSON.parse(readFileSync(path.join(CONTEXTS, 'manifest.json'), 'utf8'));
  const documents = new Map();
  for(const [url, entry] of Object.entries(manifest.contexts)) {
    if(OFFICIAL_HOSTS.has(new URL(url).hostname)) {
      documents.set(url, JSON.parse(readFileSync(path.join(CONTEXTS, entry.file), 'utf8')));
    }
  }
  return documents;
}

const input = await readStdin();
const reachable = new Set(input.reachable);
const official = officialContexts();
const fetched = [];

async function fetchJson(url) {
  const {hostname} = new URL(url);
  if(!reachable.has(hostname)) {
    throw new Error(`${hostname} is not reachable from this verifier (${url})`);
  }
  const response = await fetch(url, {headers: {Accept: 'application/ld+json, application/json;q=0.9'}});
  if(!response.ok) {
    throw new Error(`${url} answered ${response.status}`);
  }
  fetched.push(url);
  return response.json();
}

async function documentLoader(url) {
  if(official.has(url)) {
    return {contextUrl: null, documentUrl: url, document: structuredClone(official.get(url))};
  }
  const [base, fragment] = url.split('#');
  const document = await fetchJson(base);
  if(fragment === undefined) {
    return {contextUrl: null, documentUrl: url, document};
  }
  // A verification method: the entry of its controller document, as a Multikey document (what
  // the stack's key classes expect, and what its DID/CID resolvers hand out for a fragment).
  const method = (document.verificationMethod ?? []).find(entry => entry.id === url);
  if(!method) {
    throw new Error(`${base} lists no verification method ${url}`);
  }
  return {
    contextUrl: null, documentUrl: url,
    document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}
  };
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
// Status is checked on the Python side; here only what the context and key decide.
const checkStatus = async () => ({verified: true});
let result;
try {
  result = await vc.verifyCredential({credential: input.credential, suite, documentLoader, checkStatus});
} catch(e) {
  result = {verified: false, error: e};
}
const error = result.error ? String(result.error.errors?.map(String) ?? result.error) : undefined;
process.stdout.write(JSON.stringify({verified: result.verified, fetched, error}) + '\n');
