// Shared setup of the JavaScript reference stack (Digital Bazaar): the offline
// document loader over Microcred's bundled contexts, and the issuer's key.
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import path from 'node:path';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONTEXTS = path.resolve(here, '../../microcred/credentials/vc/contexts');

export {vc};

function bundledContexts() {
  const manifest = JSON.parse(readFileSync(path.join(CONTEXTS, 'manifest.json'), 'utf8'));
  const documents = new Map();
  for(const [url, entry] of Object.entries(manifest.contexts)) {
    documents.set(url, JSON.parse(readFileSync(path.join(CONTEXTS, entry.file), 'utf8')));
  }
  return documents;
}

// The same pinned context files as the Python side serves; never the network. `served` adds
// documents by URL that the caller fetched from an installation (its own context URL, ADR 0041).
export function makeDocumentLoader({controllerDocument, verificationMethod, served = {}}) {
  const documents = bundledContexts();
  for(const [url, document] of Object.entries(served)) {
    documents.set(url, document);
  }
  documents.set(controllerDocument.id, controllerDocument);
  documents.set(verificationMethod.id, verificationMethod);
  return async url => {
    const document = documents.get(url);
    if(document === undefined) {
      throw new Error(`document ${url} is not bundled (the peer never fetches)`);
    }
    return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
  };
}

// keyInfo: {controller, vmId, publicKeyMultibase, secretKeyMultibase?}; served: see makeDocumentLoader
export async function setUp(keyInfo, {served = {}} = {}) {
  const verificationMethod = {
    '@context': 'https://w3id.org/security/multikey/v1',
    id: keyInfo.vmId,
    type: 'Multikey',
    controller: keyInfo.controller,
    publicKeyMultibase: keyInfo.publicKeyMultibase
  };
  const controllerDocument = {
    '@context': 'https://www.w3.org/ns/cid/v1',
    id: keyInfo.controller,
    verificationMethod: [verificationMethod],
    assertionMethod: [keyInfo.vmId]
  };
  const documentLoader = makeDocumentLoader({controllerDocument, verificationMethod, served});
  let signingSuite = null;
  if(keyInfo.secretKeyMultibase) {
    const keyPair = await Ed25519Multikey.from({
      id: keyInfo.vmId,
      controller: keyInfo.controller,
      publicKeyMultibase: keyInfo.publicKeyMultibase,
      secretKeyMultibase: keyInfo.secretKeyMultibase
    });
    signingSuite = date => new DataIntegrityProof({
      signer: keyPair.signer(), date, cryptosuite: eddsaRdfc2022CryptoSuite
    });
  }
  const verifyingSuite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  // Status is outside what is measured/checked here (our side checks only the proof too).
  const checkStatus = async () => ({verified: true});
  return {documentLoader, signingSuite, verifyingSuite, checkStatus};
}

export async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
