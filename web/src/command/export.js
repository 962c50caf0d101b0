// The current map as a PNG file, with its legend and a caption saying when
// it was taken (the county's clock), which layers it shows and what area:
// a picture for a report or a briefing that explains itself.
//
// The map's WebGL canvas keeps no copy of a frame once it is shown, so
// the picture is copied in the render event, before the frame is handed
// over (no preserveDrawingBuffer, which would cost the wall every frame).
import { t, isEnglish } from '../shared/i18n.js';
import { formatZoned } from '../shared/time.js';

/** captionLines are the caption's lines for a map at a time, with the layers named. */
export function captionLines({ title, when, layers, bounds, zoom }) {
  const f = (v) => v.toFixed(3);
  const time = formatZoned(when, isEnglish() ? 'en-GB' : 'zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  return [
    t('wall.caption', { title, time }),
    t('wall.captionLayers', { layers: layers.join(isEnglish() ? ', ' : '、') }),
    t('wall.captionArea', { w: f(bounds[0]), s: f(bounds[1]), e: f(bounds[2]), n: f(bounds[3]), z: zoom.toFixed(1) }),
  ];
}

/** copyMap resolves to a 2D canvas holding the map's next frame. */
function copyMap(map) {
  return new Promise((resolve) => {
    map.once('render', () => {
      const src = map.getCanvas();
      const c = document.createElement('canvas');
      c.width = src.width;
      c.height = src.height;
      c.getContext('2d').drawImage(src, 0, 0);
      resolve(c);
    });
    map.triggerRepaint();
  });
}

/**
 * composeMapImage draws the map, a legend column (legend: sections of
 * { title, items: [{ label, color, ring, line }] }) and the caption lines
 * below, and returns the canvas.
 */
export async function composeMapImage(map, { legend, caption }) {
  const shot = await copyMap(map);
  const scale = window.devicePixelRatio || 1;
  const px = (v) => Math.round(v * scale);
  const font = getComputedStyle(document.body).fontFamily || 'sans-serif';
  const legendWidth = px(300);
  const line = px(22);
  const captionHeight = px(18) + caption.length * line;
  const out = document.createElement('canvas');
  out.width = shot.width + legendWidth;
  out.height = shot.height + captionHeight;
  const g = out.getContext('2d');
  g.fillStyle = '#FFFFFF';
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(shot, 0, 0);
  g.textBaseline = 'middle';
  // The legend, to the right of the map.
  let y = px(20);
  const x = shot.width + px(16);
  for (const section of legend) {
    g.fillStyle = '#1F2A44';
    g.font = `600 ${px(15)}px ${font}`;
    g.fillText(section.title, x, y);
    y += line;
    g.font = `${px(13)}px ${font}`;
    for (const item of section.items) {
      if (y > out.height - captionHeight - px(10)) break;
      if (item.line) {
        g.fillStyle = item.color;
        g.fillRect(x, y - px(2), px(18), px(4));
      } else {
        g.beginPath();
        g.arc(x + px(9), y, px(7), 0, 2 * Math.PI);
        g.fillStyle = item.color;
        g.fill();
        if (item.ring) {
          g.lineWidth = px(2.5);
          g.strokeStyle = item.ring;
          g.stroke();
        }
      }
      g.fillStyle = '#333333';
      g.fillText(item.label, x + px(28), y);
      y += line;
    }
    y += px(8);
  }
  // The caption, under the map.
  g.fillStyle = '#1F2A44';
  g.fillRect(0, shot.height, out.width, captionHeight);
  g.fillStyle = '#FFFFFF';
  caption.forEach((text, i) => {
    g.font = `${i === 0 ? '600 ' : ''}${px(14)}px ${font}`;
    g.fillText(text, px(12), shot.height + px(9) + line * (i + 0.5));
  });
  return out;
}

/** download offers canvas as a PNG file named name. */
export function download(canvas, name) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) {
        reject(new Error('the browser made no image'));
        return;
      }
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      resolve(blob);
    }, 'image/png');
  });
}
