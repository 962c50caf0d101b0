// The officer page's app icons as PNG (a web app manifest needs raster
// icons of 192 and 512 pixels): the page's navy, a white 3×3 grid and a red
// position mark, drawn pixel by pixel and encoded here, so the build needs
// no image library and its output is the same byte for byte on every run.
import { deflateSync } from 'node:zlib';

const NAVY = [0x1f, 0x2a, 0x44];
const WHITE = [0xff, 0xff, 0xff];
const RED = [0xd7, 0x26, 0x3d];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** iconPNG draws the icon at size × size pixels and returns the PNG file. */
export function iconPNG(size) {
  const raw = Buffer.alloc(size * (3 * size + 1));
  const margin = Math.round(size * 0.2);
  const cell = (size - 2 * margin) / 3;
  const line = Math.max(2, Math.round(size / 48));
  const cx = margin + 1.5 * cell;
  const cy = margin + 1.5 * cell;
  const r = cell * 0.32;
  for (let y = 0; y < size; y++) {
    raw[y * (3 * size + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      let c = NAVY;
      const inGrid = x >= margin && x < size - margin && y >= margin && y < size - margin;
      const onLine = (v) => {
        const k = (v - margin) / cell;
        return Math.abs(k - Math.round(k)) * cell < line / 2;
      };
      if (inGrid && (onLine(x) || onLine(y))) c = WHITE;
      if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) c = RED;
      raw.set(c, y * (3 * size + 1) + 1 + 3 * x);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
