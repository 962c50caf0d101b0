// The functions of Go's math package that geo/crs calls, computed the way Go
// computes them on the server (the Cephes-based sin/cos and atan of its
// math package; hypot as max·sqrt(1+(min/max)²)), so a datum conversion in
// the browser gives the server's float64 bit for bit. The browser's own
// Math.sin and Math.atan2 may differ from Go's in the last place, and a
// last place decides on which side of a grid's border a point falls.
//
// Constants are written as the float64 values Go folds them to: Go
// evaluates constant expressions exactly and rounds once, JavaScript
// rounds at every step.

const PI = 3.141592653589793;
const FOUR_OVER_PI = 1.2732395447351628; // Go's 4 / math.Pi
const PI4A = 7.85398125648498535156e-1; // Pi/4 in three parts
const PI4B = 3.77489470793079817668e-8;
const PI4C = 2.69515142907905952645e-15;
// Go reduces larger arguments by Payne–Hanek; geo/crs never passes one (its
// arguments are at most a few thousand radians for any longitude and
// latitude), and these functions refuse them rather than answer differently.
const REDUCE_THRESHOLD = 2 ** 29;

const SIN = [
  1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
  -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1,
];
const COS = [
  -1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
  2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2,
];

function sinPoly(z, zz) {
  return z + z * zz * ((((((SIN[0] * zz) + SIN[1]) * zz + SIN[2]) * zz + SIN[3]) * zz + SIN[4]) * zz + SIN[5]);
}

function cosPoly(zz) {
  return 1.0 - 0.5 * zz + zz * zz * ((((((COS[0] * zz) + COS[1]) * zz + COS[2]) * zz + COS[3]) * zz + COS[4]) * zz + COS[5]);
}

// octant returns [j, z] for |x| as Go's sin.go computes them.
function octant(x) {
  if (x >= REDUCE_THRESHOLD) throw new RangeError(`gomath: argument ${x} is too large`);
  let j = Math.trunc(x * FOUR_OVER_PI);
  let y = j;
  if (j % 2 === 1) {
    j++;
    y++;
  }
  j %= 8;
  const z = ((x - y * PI4A) - y * PI4B) - y * PI4C;
  return [j, z];
}

/** sin is Go's math.Sin. */
export function sin(x) {
  if (x === 0 || Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return NaN;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  let [j, z] = octant(x);
  if (j > 3) {
    sign = !sign;
    j -= 4;
  }
  const zz = z * z;
  const y = j === 1 || j === 2 ? cosPoly(zz) : sinPoly(z, zz);
  return sign ? -y : y;
}

/** cos is Go's math.Cos. */
export function cos(x) {
  if (!Number.isFinite(x)) return NaN;
  let sign = false;
  x = Math.abs(x);
  let [j, z] = octant(x);
  if (j > 3) {
    j -= 4;
    sign = !sign;
  }
  if (j > 1) sign = !sign;
  const zz = z * z;
  const y = j === 1 || j === 2 ? sinPoly(z, zz) : cosPoly(zz);
  return sign ? -y : y;
}

/** sincos is Go's math.Sincos: [sin(x), cos(x)]. */
export function sincos(x) {
  if (x === 0) return [x, 1];
  if (!Number.isFinite(x)) return [NaN, NaN];
  let sinSign = false;
  let cosSign = false;
  if (x < 0) {
    x = -x;
    sinSign = true;
  }
  let [j, z] = octant(x);
  if (j > 3) {
    j -= 4;
    sinSign = !sinSign;
    cosSign = !cosSign;
  }
  if (j > 1) cosSign = !cosSign;
  const zz = z * z;
  let c = cosPoly(zz);
  let s = sinPoly(z, zz);
  if (j === 1 || j === 2) [s, c] = [c, s];
  if (cosSign) c = -c;
  if (sinSign) s = -s;
  return [s, c];
}

function xatan(x) {
  const P0 = -8.750608600031904122785e-01;
  const P1 = -1.615753718733365076637e+01;
  const P2 = -7.500855792314704667340e+01;
  const P3 = -1.228866684490136173410e+02;
  const P4 = -6.485021904942025371773e+01;
  const Q0 = +2.485846490142306297962e+01;
  const Q1 = +1.650270098316988542046e+02;
  const Q2 = +4.328810604912902668951e+02;
  const Q3 = +4.853903996359136964868e+02;
  const Q4 = +1.945506571482613964425e+02;
  let z = x * x;
  z = z * ((((P0 * z + P1) * z + P2) * z + P3) * z + P4) / (((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4);
  return x * z + x;
}

const MOREBITS = 6.123233995736765886130e-17;
const TAN3PIO8 = 2.41421356237309504880;
const PI_2 = 1.5707963267948966;
const PI_4 = 0.7853981633974483;
const PI3_4 = 2.356194490192345;

function satan(x) {
  if (x <= 0.66) return xatan(x);
  if (x > TAN3PIO8) return PI_2 - xatan(1 / x) + MOREBITS;
  return PI_4 + xatan((x - 1) / (x + 1)) + 0.5 * MOREBITS;
}

/** atan is Go's math.Atan. */
export function atan(x) {
  if (x === 0) return x;
  return x > 0 ? satan(x) : -satan(-x);
}

const copysign = (v, s) => ((s < 0 || Object.is(s, -0)) ? -Math.abs(v) : Math.abs(v));

/** atan2 is Go's math.Atan2. */
export function atan2(y, x) {
  if (Number.isNaN(y) || Number.isNaN(x)) return NaN;
  if (y === 0) {
    if (x >= 0 && !Object.is(x, -0)) return copysign(0, y);
    return copysign(PI, y);
  }
  if (x === 0) return copysign(PI_2, y);
  if (!Number.isFinite(x)) {
    if (x === Infinity) return Number.isFinite(y) ? copysign(0, y) : copysign(PI_4, y);
    return Number.isFinite(y) ? copysign(PI, y) : copysign(PI3_4, y);
  }
  if (!Number.isFinite(y)) return copysign(PI_2, y);
  const q = atan(y / x);
  if (x < 0) return q <= 0 ? q + PI : q - PI;
  return q;
}

/** hypot is Go's math.Hypot as it runs on the server (amd64). */
export function hypot(p, q) {
  p = Math.abs(p);
  q = Math.abs(q);
  if (p === Infinity || q === Infinity) return Infinity;
  if (Number.isNaN(p) || Number.isNaN(q)) return NaN;
  if (p < q) [p, q] = [q, p];
  if (p === 0) return 0;
  q /= p;
  return p * Math.sqrt(1 + q * q);
}

export { PI };
