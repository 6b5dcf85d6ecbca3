// gramr view, the page: lists the run's stages (GET /api/run), shows a report (its markdown rendered here, plots
// as images from /files/) and pages through an evaluate stage's judgments (GET /api/judgments: filtered and paged
// by the server). Plain browser JavaScript, no framework, no build step.
'use strict';

const PAGE = 20;
const state = { run: undefined, stage: undefined, offset: 0, total: 0 };
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== undefined && c !== null) e.append(c);
  return e;
}

async function api(path) {
  const res = await fetch(path);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

// Inline markdown: images, `code`, **bold**, _italic_ (text is escaped by building nodes, never innerHTML).
function inline(text, base) {
  const out = [];
  const re = /!\[([^\]]*)\]\(([^)]+)\)|`([^`]+)`|\*\*([^*]+)\*\*|_([^_]+)_/g;
  let last = 0, m;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[2] !== undefined) out.push(el('img', { alt: m[1], src: '/files/' + (base ? base + '/' : '') + m[2] }));
    else if (m[3] !== undefined) out.push(el('code', { text: m[3] }));
    else if (m[4] !== undefined) out.push(el('strong', { text: m[4] }));
    else out.push(el('em', { text: m[5] }));
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

// Block markdown: headings, tables, lists, paragraphs — what gramr's reports use.
function renderMarkdown(md, base) {
  const root = el('div', { class: 'markdown' });
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const h = /^(#{1,4})\s+(.*)$/.exec(line);
    if (h) { root.append(el('h' + Math.min(4, h[1].length + 1), {}, ...inline(h[2], base))); continue; }
    if (line.startsWith('|')) {
      const rows = [];
      while (i < lines.length && lines[i].startsWith('|')) rows.push(lines[i++]);
      i--;
      const cells = (r) => r.replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
      const table = el('table');
      rows.forEach((r, n) => {
        if (n === 1 && /^[\s|:-]+$/.test(r)) return;
        table.append(el('tr', {}, ...cells(r).map((c) => el(n === 0 ? 'th' : 'td', {}, ...inline(c, base)))));
      });
      root.append(table);
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      const ul = el('ul');
      while (i < lines.length && /^\s*[-*]\s+/.test(lines[i])) ul.append(el('li', {}, ...inline(lines[i++].replace(/^\s*[-*]\s+/, ''), base)));
      i--;
      root.append(ul);
      continue;
    }
    if (line.trim() !== '') root.append(el('p', {}, ...inline(line, base)));
  }
  return root;
}

async function showReport(file, title) {
  const box = $('report');
  box.replaceChildren();
  if (!file) return;
  const res = await fetch('/files/' + file);
  const base = file.split('/').slice(0, -1).join('/');
  box.append(el('h2', { text: title }), renderMarkdown(await res.text(), base));
}

function stageItem(s) {
  const li = el('li', { 'data-stage': s.id, class: s.complete ? '' : 'incomplete' },
    el('strong', { text: s.id }), ' ', el('span', { class: 'kind', text: s.kind || '' }),
    el('span', { class: 'summary', text: s.complete ? (s.summary || '') + (s.seconds !== undefined ? ' (' + s.seconds.toFixed(1) + ' s)' : '') : 'not complete' }));
  li.addEventListener('click', () => selectStage(s.id));
  return li;
}

async function selectStage(id) {
  const s = id === undefined ? undefined : state.run.stages.find((x) => x.id === id);
  for (const li of document.querySelectorAll('#stages li')) li.classList.toggle('selected', li.dataset.stage === (s ? s.id : '(run)'));
  state.stage = s;
  state.offset = 0;
  $('browser').hidden = !(s && s.judgments);
  if (!s) return showReport(state.run.report, 'Run report');
  await showReport(s.report, s.id + ' report');
  if (s.judgments) {
    $('browser-title').textContent = 'Judgments of ' + s.id;
    $('filter-domain').replaceChildren(el('option', { value: '', text: 'all' }));
    await loadPage(true);
  }
}

function query() {
  const q = new URLSearchParams({ stage: state.stage.id, offset: String(state.offset), limit: String(PAGE) });
  if ($('filter-wrong').checked) q.set('wrong', '1');
  if ($('filter-flips').checked) q.set('flips', '1');
  if ($('filter-no-answer').checked) q.set('noAnswer', '1');
  if ($('filter-domain').value) q.set('domain', $('filter-domain').value);
  return q;
}

async function loadPage(fillDomains) {
  $('status').textContent = 'loading…';
  const page = await api('/api/judgments?' + query());
  if (fillDomains) {
    for (const [d, n] of Object.entries(page.domains)) $('filter-domain').append(el('option', { value: d, text: d + ' (' + n + ')' }));
  }
  state.total = page.total;
  $('total').textContent = page.total === 0 ? 'no matching pairs'
    : (page.offset + 1) + '–' + (page.offset + page.pairs.length) + ' of ' + page.total + ' pairs';
  $('prev').disabled = page.offset === 0;
  $('next').disabled = page.offset + page.pairs.length >= page.total;
  $('pairs').replaceChildren(...page.pairs.map(pairCard));
  $('status').textContent = page.pairsInStage + ' pairs judged in ' + state.stage.id;
}

function pairCard(p) {
  const flags = [p.wrong && ['wrong', 'wrong'], p.flipped && ['flipped', 'flipped'], p.noAnswer && ['no-answer', 'no answer']].filter(Boolean);
  return el('div', { class: 'pair', 'data-id': p.id || p.key },
    el('h3', {}, (p.id || p.key) + (p.domain ? ' · ' + p.domain : '') + (p.gold ? ' · gold ' + p.gold : ''),
      ...flags.map(([c, t]) => el('span', { class: 'flag ' + c, text: t }))),
    el('div', { class: 'orders' }, ...p.orders.map(orderColumn)));
}

function orderColumn(o) {
  const verdict = o.label === undefined ? 'no answer (' + (o.noAnswer || '?') + ')' : 'label ' + o.label + ' (shown ' + o.shownLabel + ')';
  const col = el('div', { class: 'order ' + (o.correct === undefined ? '' : o.correct ? 'correct' : 'incorrect'), 'data-order': o.order },
    el('div', {}, el('strong', { text: o.order + ' order' }), ' ', el('span', { class: 'verdict', text: verdict }),
      o.confidence !== undefined ? el('span', { class: 'muted', text: ' p ' + (100 * o.confidence).toFixed(1) + '%' }) : null));
  for (const c of o.calls) {
    const probs = c.probs ? 'P(A) ' + c.probs.A.toFixed(3) + ' · P(B) ' + c.probs.B.toFixed(3) : 'no label probabilities';
    col.append(el('div', { class: 'muted', text: 'sample ' + c.sample + (c.seed !== undefined ? ' (seed ' + c.seed + ')' : '') + ' · ' + probs
      + (c.noAnswer ? ' · ' + c.noAnswer : '') + (c.truncated ? ' · truncated' : '') }));
    if (c.rationale !== undefined) col.append(el('div', { class: 'muted', text: 'rationale' }), el('pre', { class: 'rationale', text: c.rationale }));
    col.append(el('details', {}, el('summary', { text: 'generation (' + c.raw.length + ' chars)' }), el('pre', { class: 'raw', text: c.raw || '(none: label from logits / reward head)' })));
    col.append(el('details', {}, el('summary', { text: 'prompt ' + c.promptHash }), el('pre', { class: 'prompt', text: c.prompt === undefined ? '(text not stored)' : c.prompt })));
  }
  return col;
}

async function main() {
  state.run = await api('/api/run');
  document.title = 'gramr view — ' + state.run.name;
  $('run-name').textContent = 'gramr view — ' + state.run.name;
  const items = state.run.stages.map(stageItem);
  if (state.run.report) {
    const li = el('li', { 'data-stage': '(run)' }, el('strong', { text: 'Run report' }));
    li.addEventListener('click', () => selectStage(undefined));
    items.unshift(li);
  }
  $('stages').replaceChildren(...items);
  const first = state.run.report ? undefined : (state.run.stages.find((s) => s.judgments) || {}).id;
  await selectStage(first);
  for (const id of ['filter-wrong', 'filter-flips', 'filter-no-answer', 'filter-domain']) {
    $(id).addEventListener('change', () => { state.offset = 0; loadPage(false); });
  }
  $('prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); loadPage(false); });
  $('next').addEventListener('click', () => { state.offset += PAGE; loadPage(false); });
}

main().catch((e) => { $('status').textContent = 'error: ' + e.message; });
