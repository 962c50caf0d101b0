// The digest of everything a build is made from. build.mjs records it in
// build/manifest.json; web_test.go (TestBuildIsCurrent) computes the same
// digest in Go and fails when the two differ, so a source change without a
// rebuild cannot go unnoticed, even on a machine without Node.js.
//
// The inputs are every file under src/ and tools/, build.mjs, package.json,
// package-lock.json and the reference data the base map is made from. The
// digest is SHA-256 over the lines "<path>\n<sha256 of content>\n", paths
// relative to web/ with forward slashes, in byte order; CR LF line endings
// count as LF, so a Windows checkout agrees.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Files outside src/ and tools/ that a build reads, relative to web/. */
export const extraInputs = [
  'build.mjs',
  'package.json',
  'package-lock.json',
  '../data/lantian/source/xian-districts.geojson',
];

/** Directories whose every file is an input, relative to web/. */
export const inputDirs = ['src', 'tools'];

function walk(root, dir, out) {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) walk(root, rel, out);
    else if (entry.isFile()) out.push(rel);
  }
}

/** inputFiles lists the inputs of a build of webDir, sorted. */
export function inputFiles(webDir) {
  const files = [...extraInputs];
  for (const d of inputDirs) walk(webDir, d, files);
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** sourcesDigest returns the hex digest of the inputs of webDir. */
export function sourcesDigest(webDir) {
  const h = createHash('sha256');
  for (const rel of inputFiles(webDir)) {
    const content = fs.readFileSync(path.join(webDir, rel)).toString('latin1').replaceAll('\r\n', '\n');
    const fileHash = createHash('sha256').update(Buffer.from(content, 'latin1')).digest('hex');
    h.update(`${rel}\n${fileHash}\n`);
  }
  return h.digest('hex');
}
