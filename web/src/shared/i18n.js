// Every string the pages show, in Chinese (the default) and English. Data
// carries its own names (name / name_en, role_zh / role_en); this table
// holds the interface's words only.

export const LANGS = ['zh-CN', 'en'];
export const DEFAULT_LANG = 'zh-CN';

export const strings = {
  'zh-CN': {
    'app.title': '蓝田县公安局 · 警格指挥图',
    'app.short': '警格指挥图',
    'app.loading': '正在加载地图…',
    'app.noWebGL': '此浏览器无法显示地图（需要 WebGL）。',
    'app.loadFailed': '地图数据加载失败：{detail}',
    'lang.switch': 'English',
    'lang.switchTitle': '切换为英文界面',
    'search.placeholder': '搜索网格名称、编码或村（社区）',
    'search.label': '搜索网格',
    'search.none': '没有匹配的网格',
    'search.failed': '搜索失败',
    'level.police': '警格',
    'level.community': '网格',
    'layer.label': '显示',
    'layer.police': '警格',
    'layer.community': '网格',
    'legend.title': '四警蓝图 · 地形分区',
    'legend.station': '派出所',
    'legend.county': '县界',
    'legend.stationArea': '派出所辖区',
    'legend.patrol': '巡逻警员',
    'panel.close': '关闭',
    'panel.code': '编码',
    'panel.township': '镇（街道）',
    'panel.population': '人口',
    'panel.station': '责任派出所',
    'panel.brand': '一所一品',
    'panel.phone': '电话',
    'panel.region': '地形分区',
    'panel.parent': '所属警格',
    'panel.children': '包含网格（{n}）',
    'panel.members': '网格力量（{n}）',
    'panel.noMembers': '暂无登记成员',
    'panel.clicked': '点击位置 {lon}, {lat}',
    'panel.alsoIn': '同时属于{level}：{name}',
    'panel.loading': '正在加载…',
    'panel.masked': '号码已脱敏，无法拨打',
    'panel.incidents': '警情（{window}）',
    'panel.trend': '近 12 个月警情',
    'panel.noIncidents': '该时段无警情',
    'lookup.outside': '该位置不在任何网格内（辖区外）',
    'lookup.failed': '查询失败：{detail}',
    'incidents.title': '警情',
    'incidents.window': '时间范围',
    'incidents.view': '显示方式',
    'incidents.clusters': '聚合',
    'incidents.heat': '热力',
    'incidents.off': '隐藏',
    'incidents.total': '共 {n} 起',
    'incidents.unavailable': '警情数据暂不可用',
    'incidents.loading': '正在加载警情…',
    'window.24h': '近24小时',
    'window.7d': '近7天',
    'window.30d': '近30天',
    'window.90d': '近90天',
    'window.365d': '近一年',
    'cat.criminal': '刑事',
    'cat.public_order': '治安',
    'cat.traffic': '交通',
    'cat.dispute': '纠纷',
    'cat.assistance': '求助',
    'cat.fire': '火灾',
    'cat.other': '其他',
    'status.reported': '已接警',
    'status.dispatched': '已派警',
    'status.on_scene': '已到场',
    'status.closed': '已办结',
    'incident.severity': '等级 {n}',
    'patrol.moving': '巡逻中',
    'patrol.stopped': '停留',
    'patrol.silent': '失联',
    'patrol.outOfArea': '不在责任区',
    'patrol.seen': '{s} 秒前',
    'patrols.title': '巡逻',
    'patrols.count': '在线 {n} 人',
    'patrols.unavailable': '巡逻位置暂不可用',
    'feed.title': '实时事件',
    'feed.empty': '暂无事件',
    'feed.enter': '{officer} 进入 {grid}',
    'feed.leave': '{officer} 离开 {grid}',
    'feed.left_area': '{officer} 离开责任区 {grid}',
    'feed.stopped': '{officer} 已停止上报位置',
    'feed.other': '{officer}：{type}',
    'feed.area_return': '{officer} 回到责任区 {grid}',
    'feed.resumed': '{officer} 恢复上报位置',
    'feed.unavailable': '实时事件流不可用',
    'feed.connecting': '正在连接…',
    'feed.live': '实时',
    'feed.reconnecting': '连接中断，正在重连…',
    'basemap.label': '底图',
    'm.title': '我在哪个警格？',
    'm.intro': '定位或输入坐标，查询所在网格、警格、派出所和责任民警。',
    'm.useMyPosition': '使用我的位置',
    'm.locating': '正在定位…',
    'm.or': '或输入坐标',
    'm.lon': '经度',
    'm.lat': '纬度',
    'm.crs': '坐标系',
    'm.crs.wgs84': 'WGS-84（GPS 原始坐标）',
    'm.crs.gcj02': 'GCJ-02（高德 / 腾讯地图）',
    'm.crs.bd09': 'BD-09（百度地图）',
    'm.submit': '查询',
    'm.searching': '正在查询…',
    'm.community': '网格',
    'm.police': '警格',
    'm.station': '派出所',
    'm.officer': '责任民警',
    'm.members': '网格力量',
    'm.noOfficer': '该警格暂无登记的社区民警',
    'm.call': '拨打',
    'm.position': '位置 {lon}, {lat}（WGS-84）',
    'm.accuracy': '定位精度约 {m} 米',
    'm.outside': '该位置不在蓝田县辖区内，没有对应的网格。请核对坐标和坐标系。',
    'm.denied': '无法获取位置：定位权限被拒绝。请在浏览器设置中允许本网站定位，或手动输入坐标。',
    'm.unavailable': '暂时无法获取位置，请到开阔处重试，或手动输入坐标。',
    'm.timeout': '定位超时，请重试或手动输入坐标。',
    'm.insecure': '浏览器只在 HTTPS 连接下提供定位，请手动输入坐标。',
    'm.unsupported': '此浏览器不支持定位，请手动输入坐标。',
    'm.invalid': '请输入有效的经度（-180 至 180）和纬度（-90 至 90）。',
    'm.failed': '查询失败：{detail}',
    'm.commandCenter': '指挥图',
  },
  en: {
    'app.title': 'Lantian County PSB · Grid command map',
    'app.short': 'Grid command map',
    'app.loading': 'Loading the map…',
    'app.noWebGL': 'This browser cannot show the map (WebGL is needed).',
    'app.loadFailed': 'Could not load the map data: {detail}',
    'lang.switch': '中文',
    'lang.switchTitle': 'Switch to Chinese',
    'search.placeholder': 'Search grid name, code or village',
    'search.label': 'Search grids',
    'search.none': 'No matching grid',
    'search.failed': 'Search failed',
    'level.police': 'Police grid',
    'level.community': 'Community grid',
    'layer.label': 'Show',
    'layer.police': 'Police grids',
    'layer.community': 'Community grids',
    'legend.title': 'Terrain regions (四警蓝图)',
    'legend.station': 'Police station',
    'legend.county': 'County border',
    'legend.stationArea': 'Station area',
    'legend.patrol': 'Officer on patrol',
    'panel.close': 'Close',
    'panel.code': 'Code',
    'panel.township': 'Township',
    'panel.population': 'Population',
    'panel.station': 'Responsible station',
    'panel.brand': 'Station brand',
    'panel.phone': 'Phone',
    'panel.region': 'Terrain region',
    'panel.parent': 'Police grid',
    'panel.children': 'Community grids ({n})',
    'panel.members': 'Members ({n})',
    'panel.noMembers': 'No members registered',
    'panel.clicked': 'Clicked point {lon}, {lat}',
    'panel.alsoIn': 'Also in {level}: {name}',
    'panel.loading': 'Loading…',
    'panel.masked': 'masked number, cannot be dialled',
    'panel.incidents': 'Incidents ({window})',
    'panel.trend': 'Incidents, last 12 months',
    'panel.noIncidents': 'No incidents in this window',
    'lookup.outside': 'This point is outside every grid (outside the county)',
    'lookup.failed': 'Lookup failed: {detail}',
    'incidents.title': 'Incidents',
    'incidents.window': 'Time window',
    'incidents.view': 'Show as',
    'incidents.clusters': 'Clusters',
    'incidents.heat': 'Heat',
    'incidents.off': 'Hidden',
    'incidents.total': '{n} incidents',
    'incidents.unavailable': 'Incident data is not available',
    'incidents.loading': 'Loading incidents…',
    'window.24h': 'Last 24 hours',
    'window.7d': 'Last 7 days',
    'window.30d': 'Last 30 days',
    'window.90d': 'Last 90 days',
    'window.365d': 'Last year',
    'cat.criminal': 'Criminal',
    'cat.public_order': 'Public order',
    'cat.traffic': 'Traffic',
    'cat.dispute': 'Dispute',
    'cat.assistance': 'Assistance',
    'cat.fire': 'Fire',
    'cat.other': 'Other',
    'status.reported': 'Reported',
    'status.dispatched': 'Dispatched',
    'status.on_scene': 'On scene',
    'status.closed': 'Closed',
    'incident.severity': 'severity {n}',
    'patrol.moving': 'moving',
    'patrol.stopped': 'stopped',
    'patrol.silent': 'not reporting',
    'patrol.outOfArea': 'outside their area',
    'patrol.seen': '{s} s ago',
    'patrols.title': 'Patrols',
    'patrols.count': '{n} on patrol',
    'patrols.unavailable': 'Patrol positions are not available',
    'feed.title': 'Live events',
    'feed.empty': 'No events yet',
    'feed.enter': '{officer} entered {grid}',
    'feed.leave': '{officer} left {grid}',
    'feed.left_area': '{officer} left their area {grid}',
    'feed.stopped': '{officer} stopped reporting',
    'feed.other': '{officer}: {type}',
    'feed.area_return': '{officer} returned to their area {grid}',
    'feed.resumed': '{officer} is reporting again',
    'feed.unavailable': 'Live events are not available',
    'feed.connecting': 'Connecting…',
    'feed.live': 'Live',
    'feed.reconnecting': 'Connection lost, reconnecting…',
    'basemap.label': 'Base map',
    'm.title': 'Which grid am I in?',
    'm.intro': 'Locate yourself or type a coordinate to find the grid, police grid, station and responsible officer.',
    'm.useMyPosition': 'Use my position',
    'm.locating': 'Locating…',
    'm.or': 'or type a coordinate',
    'm.lon': 'Longitude',
    'm.lat': 'Latitude',
    'm.crs': 'Coordinate system',
    'm.crs.wgs84': 'WGS-84 (GPS)',
    'm.crs.gcj02': 'GCJ-02 (Gaode / Tencent maps)',
    'm.crs.bd09': 'BD-09 (Baidu maps)',
    'm.submit': 'Look up',
    'm.searching': 'Looking up…',
    'm.community': 'Community grid',
    'm.police': 'Police grid',
    'm.station': 'Police station',
    'm.officer': 'Responsible officer',
    'm.members': 'Grid members',
    'm.noOfficer': 'No community police officer is registered for this police grid',
    'm.call': 'Call',
    'm.position': 'Position {lon}, {lat} (WGS-84)',
    'm.accuracy': 'accurate to about {m} m',
    'm.outside': 'This position is outside Lantian County; no grid is responsible for it. Check the coordinate and its coordinate system.',
    'm.denied': 'Location permission was denied. Allow this site to use your location in the browser settings, or type a coordinate.',
    'm.unavailable': 'Your position is not available right now. Try again in the open, or type a coordinate.',
    'm.timeout': 'Locating took too long. Try again, or type a coordinate.',
    'm.insecure': 'Browsers share your position only over HTTPS; type a coordinate instead.',
    'm.unsupported': 'This browser cannot share your position; type a coordinate instead.',
    'm.invalid': 'Enter a valid longitude (-180 to 180) and latitude (-90 to 90).',
    'm.failed': 'Lookup failed: {detail}',
    'm.commandCenter': 'Command map',
  },
};

const STORAGE_KEY = 'jingge.lang';
let current = DEFAULT_LANG;
const listeners = new Set();

/** normalizeLang maps "en", "en-GB", "zh", "zh-CN" to a supported language, or null. */
export function normalizeLang(value) {
  if (!value) return null;
  const v = String(value).toLowerCase();
  if (v === 'en' || v.startsWith('en-')) return 'en';
  if (v === 'zh' || v.startsWith('zh')) return 'zh-CN';
  return null;
}

/** t returns the string for key in the current language, with {name} filled from vars. */
export function t(key, vars) {
  const table = strings[current] || strings[DEFAULT_LANG];
  let s = table[key] ?? strings[DEFAULT_LANG][key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return s;
}

export function lang() {
  return current;
}

export function isEnglish() {
  return current === 'en';
}

/** initLang picks the language: the one asked for, else the one saved, else Chinese. */
export function initLang(asked) {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage may be disabled; the default stands
  }
  current = normalizeLang(asked) || normalizeLang(saved) || DEFAULT_LANG;
  document.documentElement.lang = current;
  return current;
}

/** setLang switches the language, remembers it and tells every listener. */
export function setLang(value) {
  const next = normalizeLang(value) || DEFAULT_LANG;
  if (next === current) return;
  current = next;
  document.documentElement.lang = current;
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // not remembered; fine
  }
  for (const fn of listeners) fn(current);
}

export function onLangChange(fn) {
  listeners.add(fn);
}

/**
 * applyStatic fills the elements under root that name a string:
 * data-i18n (text), data-i18n-placeholder, data-i18n-title, data-i18n-aria-label.
 */
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
}

/** localName picks a record's name in the current language: name_en in English when present. */
export function localName(rec, zhField = 'name', enField = 'name_en') {
  if (!rec) return '';
  if (current === 'en' && rec[enField]) return rec[enField];
  return rec[zhField] ?? rec[enField] ?? '';
}

/** formatNumber formats n for the current language. */
export function formatNumber(n) {
  return new Intl.NumberFormat(current).format(n);
}
