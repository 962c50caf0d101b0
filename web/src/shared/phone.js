// Phone numbers as links. Numbers in the demo data are masked
// ("153****3881"); a masked number is shown but not offered for dialling.

/** telHref returns a tel: URI for a dialable number, or null for a masked or empty one. */
export function telHref(phone) {
  if (!phone) return null;
  const digits = String(phone).replace(/[\s().-]/g, '');
  if (!/^\+?\d{3,20}$/.test(digits)) return null;
  return `tel:${digits}`;
}
