// streamvec explorer: plain JavaScript, no libraries. Every title, artist and text is set with textContent,
// never as HTML. The page polls the server's JSON routes: the map every 5 s, the live figures every second,
// the newest texts every 2 s.
'use strict';

(function () {
  const COLOURS = ['#2b6cb0', '#c05621', '#2f855a', '#b83280', '#6b46c1', '#b7791f', '#319795', '#c53030',
    '#4a5568', '#975a16'];
  const MAP_EVERY_MS = 5000;
  const STATS_EVERY_MS = 1000;
  const RECENT_EVERY_MS = 2000;

  const $ = (id) => document.getElementById(id);
  const state = {
    points: [], hovered: null, selected: null, positive: [], negative: [], playlist: [],
    bounds: null, mapBusy: false
  };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(label, title, onClick) {
    const b = el('button', null, label);
    b.type = 'button';
    b.title = title;
    b.setAttribute('aria-label', title);
    b.addEventListener('click', onClick);
    return b;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function songLabel(song) {
    const title = song.title || song.songId || song.id;
    return song.artist ? title + ' — ' + song.artist : title;
  }

  function setStatus(text) {
    $('status').textContent = text;
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.error || ('HTTP ' + response.status));
      error.status = response.status;
      throw error;
    }
    return body;
  }

  // ---- the map ----

  function canvasPoint(p, canvas) {
    const b = state.bounds;
    const pad = 12;
    const w = canvas.width - 2 * pad;
    const h = canvas.height - 2 * pad;
    const scale = Math.min(w / (b.maxX - b.minX || 1), h / (b.maxY - b.minY || 1));
    const cx = pad + w / 2 + (p.x - (b.minX + b.maxX) / 2) * scale;
    const cy = pad + h / 2 - (p.y - (b.minY + b.maxY) / 2) * scale;
    return [cx, cy];
  }

  function drawMap() {
    const canvas = $('map');
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!state.points.length) {
      ctx.fillStyle = '#4a5568';
      ctx.fillText('no songs trained yet', 20, 30);
      return;
    }
    const maxCount = state.points.reduce((m, p) => Math.max(m, p.count), 1);
    for (const p of state.points) {
      const [x, y] = canvasPoint(p, canvas);
      p.cx = x;
      p.cy = y;
      const r = 2 + 3 * Math.sqrt(p.count / maxCount);
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = COLOURS[p.cluster % COLOURS.length];
      ctx.globalAlpha = 0.75;
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    for (const p of [state.hovered, state.points.find((q) => state.selected && q.id === state.selected.id)]) {
      if (p && p.cx !== undefined) {
        ctx.beginPath();
        ctx.arc(p.cx, p.cy, 8, 0, 2 * Math.PI);
        ctx.strokeStyle = '#1a202c';
        ctx.lineWidth = 2;
        ctx.stroke();
      }
    }
  }

  function drawLegend(clusters) {
    const legend = $('legend');
    clear(legend);
    const sizes = new Array(clusters).fill(0);
    for (const p of state.points) sizes[p.cluster] = (sizes[p.cluster] || 0) + 1;
    for (let c = 0; c < clusters; c++) {
      if (!sizes[c]) continue;
      const item = el('li');
      const swatch = el('span', 'swatch');
      swatch.style.backgroundColor = COLOURS[c % COLOURS.length];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode('cluster ' + (c + 1) + ' (' + sizes[c] + ')'));
      legend.appendChild(item);
    }
  }

  async function refreshMap() {
    if (state.mapBusy) return;
    state.mapBusy = true;
    try {
      const map = await getJson('/songs/map?limit=5000');
      state.points = map.points;
      if (state.points.length) {
        const b = { minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity };
        for (const p of state.points) {
          b.minX = Math.min(b.minX, p.x); b.maxX = Math.max(b.maxX, p.x);
          b.minY = Math.min(b.minY, p.y); b.maxY = Math.max(b.maxY, p.y);
        }
        state.bounds = b;
      }
      state.hovered = null;
      $('map-info').textContent = state.points.length + ' songs, ' + map.modelUpdates + ' playlist events trained';
      $('map').dataset.points = String(state.points.length);
      drawMap();
      drawLegend(map.clusters);
    } catch (e) {
      setStatus('map: ' + e.message);
    } finally {
      state.mapBusy = false;
    }
  }

  function nearest(event) {
    const canvas = $('map');
    const rect = canvas.getBoundingClientRect();
    const x = (event.clientX - rect.left) * canvas.width / rect.width;
    const y = (event.clientY - rect.top) * canvas.height / rect.height;
    let best = null;
    let bestD = 64; // within 8 canvas pixels
    for (const p of state.points) {
      const d = (p.cx - x) * (p.cx - x) + (p.cy - y) * (p.cy - y);
      if (d < bestD) { bestD = d; best = p; }
    }
    return best;
  }

  function showHover(p) {
    state.hovered = p;
    $('map-hover').textContent = p ? songLabel(p) + ' · played ' + p.count + ' times' : '';
    drawMap();
  }

  function setUpMap() {
    const canvas = $('map');
    canvas.addEventListener('mousemove', (e) => showHover(nearest(e)));
    canvas.addEventListener('mouseleave', () => showHover(null));
    canvas.addEventListener('click', (e) => {
      const p = nearest(e);
      if (p) selectSong({ songId: p.id, title: p.title, artist: p.artist });
    });
    // Keyboard: arrows step through the songs (most trained first), Enter selects.
    canvas.addEventListener('keydown', (e) => {
      if (!state.points.length) return;
      let i = state.hovered ? state.points.indexOf(state.hovered) : -1;
      if (e.key === 'ArrowRight' || e.key === 'ArrowDown') i = Math.min(state.points.length - 1, i + 1);
      else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') i = Math.max(0, i - 1);
      else if (e.key === 'Enter' && state.hovered) {
        selectSong({ songId: state.hovered.id, title: state.hovered.title, artist: state.hovered.artist });
        return;
      } else return;
      e.preventDefault();
      showHover(state.points[i]);
    });
  }

  // ---- songs ----

  function songItem(song, extra) {
    const item = el('li');
    item.dataset.songId = song.songId;
    if (extra && extra.score !== undefined) item.appendChild(el('span', 'score', extra.score.toFixed(3)));
    item.appendChild(el('span', 'song', songLabel(song)));
    if (song.count !== undefined) item.appendChild(el('span', 'meta', ' · ' + song.count + '×'));
    item.appendChild(button('similar', 'Songs similar to ' + songLabel(song), () => selectSong(song)));
    item.appendChild(button('+', 'Add ' + songLabel(song) + ' as a positive song', () => addQuerySong(song, true)));
    item.appendChild(button('−', 'Add ' + songLabel(song) + ' as a negative song', () => addQuerySong(song, false)));
    item.appendChild(button('add', 'Add ' + songLabel(song) + ' to the scratch playlist', () => addToPlaylist(song)));
    return item;
  }

  function listInto(node, items, empty) {
    clear(node);
    if (!items.length) node.appendChild(el('li', 'meta', empty));
    for (const item of items) node.appendChild(item);
  }

  async function searchSongs(query) {
    try {
      const found = await getJson('/songs?limit=20&query=' + encodeURIComponent(query));
      listInto($('song-results'), found.songs.map((s) => songItem(s)), 'no song has these words');
    } catch (e) {
      listInto($('song-results'), [], e.message);
    }
  }

  function selectSong(song) {
    state.selected = { id: song.songId, song: song };
    state.positive = [song];
    state.negative = [];
    refreshSimilar();
    drawMap();
  }

  function addQuerySong(song, positive) {
    const list = positive ? state.positive : state.negative;
    if (!state.positive.concat(state.negative).some((s) => s.songId === song.songId)) list.push(song);
    if (!state.selected && positive) state.selected = { id: song.songId, song: song };
    refreshSimilar();
  }

  function ids(songs) {
    return songs.map((s) => encodeURIComponent(s.songId)).join(',');
  }

  async function refreshSimilar() {
    $('selected').textContent = state.positive.length ? state.positive.map(songLabel).join(', ') : '(select a song)';
    const chips = $('query-songs');
    clear(chips);
    for (const s of state.positive) chips.appendChild(el('span', 'positive', '+ ' + songLabel(s)));
    for (const s of state.negative) chips.appendChild(el('span', 'negative', '− ' + songLabel(s)));
    if (!state.positive.length) {
      listInto($('similar'), [], 'no song selected');
      return;
    }
    let path = '/songs/similar?k=10&positive=' + ids(state.positive);
    if (state.negative.length) path += '&negative=' + ids(state.negative);
    try {
      const answer = await getJson(path);
      listInto($('similar'), answer.recommendations.map((r) => songItem(r, { score: r.score })), 'nothing similar yet');
    } catch (e) {
      listInto($('similar'), [], e.message);
    }
  }

  function addToPlaylist(song) {
    state.playlist.push(song);
    refreshPlaylist();
  }

  async function refreshPlaylist() {
    listInto($('playlist'), state.playlist.map((s) => {
      const item = el('li', null, songLabel(s));
      item.dataset.songId = s.songId;
      return item;
    }), 'empty: add songs with "add"');
    if (!state.playlist.length) {
      listInto($('continuation'), [], 'add songs to see what should follow');
      return;
    }
    try {
      const next = await getJson('/songs/next?k=10&songs=' + ids(state.playlist.slice(-100)));
      listInto($('continuation'), next.recommendations.map((r) => songItem(r, { score: r.score })), 'no continuation');
    } catch (e) {
      listInto($('continuation'), [], e.message);
    }
  }

  // ---- texts ----

  function textItem(hit, withScore) {
    const item = el('li');
    item.dataset.textId = hit.id;
    if (withScore) item.appendChild(el('span', 'score', hit.score.toFixed(3)));
    item.appendChild(el('span', 'meta', new Date(hit.timestampMs).toLocaleString() + ' · ' + hit.id));
    item.appendChild(el('span', 'text', hit.text));
    return item;
  }

  async function searchTexts(q) {
    try {
      const answer = await getJson('/texts/search?k=10&q=' + encodeURIComponent(q));
      const items = answer.results.map((h) => textItem(h, true));
      if (answer.partial) items.push(el('li', 'meta', 'partial: some partitions did not answer'));
      listInto($('text-results'), items, 'no texts indexed yet');
    } catch (e) {
      listInto($('text-results'), [], e.message);
    }
  }

  async function refreshRecent() {
    try {
      const answer = await getJson('/texts/recent?k=10');
      listInto($('recent-texts'), answer.texts.map((h) => textItem(h, false)), 'no texts yet');
    } catch (e) {
      listInto($('recent-texts'), [], e.message);
    }
  }

  // ---- live ----

  function number(x, digits) {
    return x === null || x === undefined ? '–' : Number(x).toFixed(digits);
  }

  async function refreshStats() {
    try {
      const s = await getJson('/stats');
      $('live-text-rate').textContent = number(s.textEventsPerSecond, 1);
      $('live-song-rate').textContent = number(s.songEventsPerSecond, 1);
      $('live-text-events').textContent = String(s.textEvents);
      $('live-song-events').textContent = String(s.songEvents);
      $('live-vocabulary').textContent = String(s.vocabulary);
      $('live-texts').textContent = String(s.indexedTexts);
      $('live-batch').textContent = s.embeddingBatchMs === null ? '–' : number(s.embeddingBatchMs, 1) + ' ms';
      $('live-lag').textContent = number(s.lag, 0);
      const dead = Object.entries(s.deadLetters).map(([reason, n]) => reason + ' ' + n);
      $('live-dead').textContent = dead.length ? dead.join(', ') : 'none';
      setStatus('live · updated ' + new Date(s.timestampMs).toLocaleTimeString());
    } catch (e) {
      setStatus('not reachable: ' + e.message);
    }
  }

  function every(ms, task) {
    task();
    setInterval(task, ms);
  }

  document.addEventListener('DOMContentLoaded', () => {
    setUpMap();
    $('song-form').addEventListener('submit', (e) => {
      e.preventDefault();
      searchSongs($('song-query').value);
    });
    $('text-form').addEventListener('submit', (e) => {
      e.preventDefault();
      searchTexts($('text-query').value);
    });
    $('playlist-clear').addEventListener('click', () => {
      state.playlist = [];
      refreshPlaylist();
    });
    refreshSimilar();
    refreshPlaylist();
    every(MAP_EVERY_MS, refreshMap);
    every(STATS_EVERY_MS, refreshStats);
    every(RECENT_EVERY_MS, refreshRecent);
  });
})();
