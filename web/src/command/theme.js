// The night wall: a dark theme that follows the system's choice until an
// operator picks one with the switch (remembered in this browser). The map
// is recoloured in place: its background, the base layer, borders and
// every label; the region colours stay, so the legend holds.

const STORAGE_KEY = 'jingge.theme';

/** DARK_PAINT is what the dark theme changes in the map: layer → paint property → value. */
export const DARK_PAINT = {
  background: { 'background-color': '#161A22' },
  'districts-fill': { 'fill-color': '#232833' },
  'districts-line': { 'line-color': '#4A5263' },
  'districts-label': { 'text-color': '#8E96A6', 'text-halo-color': '#161A22' },
  'county-line': { 'line-color': '#E8EAED' },
  'stations-line': { 'line-color': '#C9D4F0' },
  'police-grids-line': { 'line-color': '#9AA3B5' },
  'community-grids-line': { 'line-color': '#3A4150' },
  'townships-line': { 'line-color': '#A89F8A' },
  'regions-label': { 'text-color': '#F1F3F6', 'text-halo-color': '#0E1118' },
  'townships-label': { 'text-color': '#D9D2C0', 'text-halo-color': '#0E1118' },
  'police-grids-label': { 'text-color': '#F1F3F6', 'text-halo-color': '#0E1118' },
  'community-grids-label': { 'text-color': '#F1F3F6', 'text-halo-color': '#0E1118' },
  'stations-label': { 'text-color': '#FFFFFF', 'text-halo-color': '#0E1118' },
  'stations-point': { 'circle-color': '#C9D4F0', 'circle-stroke-color': '#0E1118' },
};

/** chosenTheme is the theme picked with the switch, or null to follow the system. */
export function chosenTheme() {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'dark' || v === 'light' ? v : null;
  } catch {
    return null;
  }
}

/** systemTheme is the system's preference now. */
export function systemTheme() {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/**
 * createTheme keeps the page and map in the theme: the chosen one, else
 * the system's (followed as it changes). onChange(theme) is told after.
 */
export function createTheme(map, { onChange } = {}) {
  const light = {}; // the style's own values, to go back to
  let theme = null;

  function paintMap() {
    for (const [layer, props] of Object.entries(DARK_PAINT)) {
      if (!map.getLayer(layer)) continue;
      for (const [prop, value] of Object.entries(props)) {
        const key = `${layer}|${prop}`;
        if (!(key in light)) light[key] = map.getPaintProperty(layer, prop);
        map.setPaintProperty(layer, prop, theme === 'dark' ? value : light[key]);
      }
    }
  }

  function apply(next) {
    theme = next;
    document.documentElement.dataset.theme = theme;
    if (map.isStyleLoaded()) paintMap();
    onChange?.(theme);
  }

  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => {
    if (!chosenTheme()) apply(systemTheme());
  });
  apply(chosenTheme() || systemTheme());

  return {
    get theme() {
      return theme;
    },
    /** toggle switches theme and remembers the choice. */
    toggle() {
      const next = theme === 'dark' ? 'light' : 'dark';
      try {
        localStorage.setItem(STORAGE_KEY, next);
      } catch {
        // not remembered; fine
      }
      apply(next);
    },
    /** repaint puts the theme on the map again (once its style has loaded). */
    repaint: paintMap,
  };
}
