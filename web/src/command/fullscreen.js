// Fullscreen for the wall: the whole page (top bar, map, side column), as
// F11 would, through the Fullscreen API, so a click or a key does it and
// Esc leaves. The button names what it will do.
import { t } from '../shared/i18n.js';

/** createFullscreen wires button to toggle the page's fullscreen. */
export function createFullscreen(button, { onChange = () => {} } = {}) {
  const root = document.documentElement;
  const supported = typeof root.requestFullscreen === 'function' && document.fullscreenEnabled !== false;

  function render() {
    const on = Boolean(document.fullscreenElement);
    button.textContent = t(on ? 'wall.exitFullscreen' : 'wall.fullscreen');
    button.setAttribute('aria-pressed', String(on));
  }

  if (!supported) {
    button.hidden = true;
  } else {
    button.addEventListener('click', async () => {
      try {
        if (document.fullscreenElement) await document.exitFullscreen();
        else await root.requestFullscreen({ navigationUI: 'hide' });
      } catch {
        // refused (no gesture, a policy): the page stays as it is
      }
    });
    document.addEventListener('fullscreenchange', () => {
      render();
      onChange(Boolean(document.fullscreenElement));
    });
  }
  render();
  return { render };
}
