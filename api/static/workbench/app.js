/* 帮扶通 county workbench. Plain ES2017, no build step, no third-party code; talks only to this API.
 * API data is only ever set as text (textContent, value), never parsed as HTML. Changes carry X-CSRF-Token. */
(function () {
  'use strict';

  const T = window.WB_TEXTS;  // texts.js: every user-facing text

  let ME = null;
  let CSRF = '';
  let DOCS = [];
  const $ = id => document.getElementById(id);

  // -- DOM helpers ---------------------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (k === 'value') node.value = v;
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return node;
  }
  const clear = node => { while (node.firstChild) node.removeChild(node.firstChild); return node; };
  const when = iso => iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '';
  function say(text, bad) { const s = $('status'); s.textContent = text || ''; s.className = 'status' + (bad ? ' err' : ''); }

  // -- the API -------------------------------------------------------------------------------------------------
  async function api(method, path, body, isForm) {
    const headers = {};
    if (method !== 'GET') headers['X-CSRF-Token'] = CSRF;
    if (body && !isForm) headers['Content-Type'] = 'application/json';
    let r;
    try {
      r = await fetch(path, { method, headers, credentials: 'same-origin', body: isForm ? body : body ? JSON.stringify(body) : undefined });
    } catch (e) { throw new Error(T.network); }
    if (r.status === 401) { say(T.signedOut, true); setTimeout(() => location.assign('/workbench'), 1500); throw new Error(T.signedOut); }
    if (r.status === 204) return null;
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) {
      const detail = data && data.detail ? data.detail : 'HTTP ' + r.status;
      throw new Error(r.status === 403 && /CSRF/.test(detail) ? T.csrf : chinese(detail));
    }
    return data;
  }
  function chinese(detail) {
    const said = detail.split('; ').map(part => {
      for (const [pattern, say] of T.errors) { const m = part.match(pattern); if (m) return say(m); }
      return part;
    });
    return said.join('；');
  }
  async function run(action, okText) {
    try { const out = await action(); if (okText) say(okText); return out; }
    catch (e) { say(T.failed + e.message, true); return undefined; }
  }

  // -- navigation ----------------------------------------------------------------------------------------------
  const PAGES = { pending: showPending, curated: showCurated, library: showLibrary, households: showHouseholds, cases: showCases, audit: showAudit };
  let quiet = false;  // the next hash change only switches the tab: its page was already drawn (the editor)
  function route() {
    let tab = (location.hash || '#pending').slice(1);
    if (!PAGES[tab] || (tab === 'audit' && !ME.county_level)) tab = 'pending';
    document.querySelectorAll('.tabs a').forEach(a => a.classList.toggle('on', a.dataset.tab === tab));
    document.querySelectorAll('.page').forEach(p => { p.hidden = p.id !== tab; });
    if (quiet) { quiet = false; return; }
    say('');
    PAGES[tab]($(tab));
  }

  // -- 待回答 ---------------------------------------------------------------------------------------------------
  async function showPending(root) {
    clear(root).appendChild(el('p', { class: 'muted' }, T.loading));
    const [un, fb] = await Promise.all([run(() => api('GET', '/v1/unanswered?limit=50')), run(() => api('GET', '/v1/feedback'))]);
    if (!un || !fb) return;
    clear(root);
    root.appendChild(el('h2', {}, T.pendingTitle));
    root.appendChild(el('p', { class: 'muted' }, T.pendingHint));
    if (!un.groups.length) root.appendChild(el('p', { class: 'empty' }, T.noneOpen));
    for (const g of un.groups) {
      const reasons = Object.keys(g.reasons).map(r => el('span', { class: 'badge warn' }, T.reasons[r] || r));
      root.appendChild(el('div', { class: 'card group' },
        el('h3', {}, g.question),
        el('div', { class: 'muted' }, T.asked(g.count, when(g.last_asked)), ' ', reasons,
          el('span', {}, T.from + (g.places.length ? g.places.join('、') : T.countyOnly))),
        g.examples.length > 1 ? el('div', { class: 'muted' }, T.examples + g.examples.slice(1).join(' / ')) : null,
        el('div', { class: 'row' },
          el('button', { type: 'button', class: 'write', onclick: () => openEditor({ question: g.question, phrasings: g.examples.slice(1), resolve_unanswered: g.ids }) }, T.writeAnswer),
          el('button', { type: 'button', class: 'plain', onclick: () => resolve('/v1/unanswered/resolve', g.ids, 'other_office') }, T.otherOffice),
          el('button', { type: 'button', class: 'plain', onclick: () => resolve('/v1/unanswered/resolve', g.ids, 'dismissed') }, T.dismiss))));
    }
    root.appendChild(el('h2', {}, T.feedbackTitle));
    if (!fb.feedback.length) root.appendChild(el('p', { class: 'empty' }, T.noneOpen));
    for (const f of fb.feedback) {
      root.appendChild(el('div', { class: 'card feedback' },
        el('h3', {}, f.question),
        el('div', { class: 'muted' }, when(f.time), ' · ', T.from + (f.place || T.countyOnly)),
        el('div', { class: 'muted' }, T.gotAnswer),
        el('div', { class: 'quote answer' }, f.answer || T.noAnswer),
        el('div', { class: 'row' },
          el('button', { type: 'button', class: 'write', onclick: () => openEditor({ question: f.question, resolve_feedback: [f.id] }) }, T.writeAnswer),
          el('button', { type: 'button', class: 'plain', onclick: () => resolve('/v1/feedback/resolve', [f.id], 'other_office') }, T.otherOffice),
          el('button', { type: 'button', class: 'plain', onclick: () => resolve('/v1/feedback/resolve', [f.id], 'dismissed') }, T.dismiss))));
    }
  }
  async function resolve(path, ids, resolution) {
    let note = '';
    if (resolution === 'other_office') {
      note = window.prompt(T.officePrompt, '');
      if (note === null) return;
    }
    const out = await run(() => api('POST', path, { ids, resolution, note: note.slice(0, 200) }));
    if (out) { say(T.marked(out.resolved)); showPending($('pending')); }
  }

  // -- 标准答案 -------------------------------------------------------------------------------------------------
  async function loadDocs() {
    if (DOCS.length) return DOCS;
    const out = await run(() => api('GET', '/v1/library'));
    DOCS = out ? out.documents.filter(d => d.live) : [];
    return DOCS;
  }
  async function showCurated(root) {
    clear(root).appendChild(el('p', { class: 'muted' }, T.loading));
    const out = await run(() => api('GET', '/v1/curated'));
    if (!out) return;
    clear(root);
    root.appendChild(el('div', { class: 'row' }, el('h2', { class: 'grow' }, T.curatedTitle),
      el('button', { type: 'button', id: 'new-curated', onclick: () => openEditor({}) }, T.newCurated)));
    root.appendChild(el('p', { class: 'muted' }, T.curatedHint));
    if (!out.curated.length) root.appendChild(el('p', { class: 'empty' }, T.noCurated));
    for (const c of out.curated) {
      const state = c.status === 'active' ? el('span', { class: 'badge ok' }, T.active) : el('span', { class: 'badge bad' }, T.lapsed[c.lapsed_reason] || c.lapsed_reason);
      root.appendChild(el('div', { class: 'card curated-entry' },
        el('h3', {}, c.question), el('div', {}, state, el('span', { class: 'badge' }, T.uses(c.uses))),
        c.phrasings.length ? el('div', { class: 'muted' }, T.examples + c.phrasings.join(' / ')) : null,
        el('p', { class: 'answer' }, c.answer),
        c.citations.map((q, i) => el('div', { class: 'quote' }, '[' + (i + 1) + '] ' + q.doc_id + '：' + q.quote)),
        el('div', { class: 'row' },
          el('button', { type: 'button', class: 'plain', onclick: () => openEditor(c) }, T.edit),
          el('button', { type: 'button', class: 'danger', onclick: async () => {
            if (!window.confirm(T.confirmDelete)) return;
            if (await run(() => api('DELETE', '/v1/curated/' + c.id), T.saved) !== undefined) showCurated(root);
          } }, T.del))));
    }
  }
  async function openEditor(draft) {
    if (location.hash !== '#curated') { quiet = true; location.hash = '#curated'; }
    const root = $('curated');
    const docs = await loadDocs();
    clear(root);
    const q = el('input', { id: 'ed-question', maxlength: 200, value: draft.question || '' });
    const ph = el('textarea', { id: 'ed-phrasings' }); ph.value = (draft.phrasings || []).join('\n');
    const ans = el('textarea', { id: 'ed-answer', maxlength: 2000 }); ans.value = draft.answer || '';
    const quotes = el('div', { id: 'ed-quotes' });
    const docSelect = value => el('select', { class: 'ed-doc' }, docs.map(d => {
      const o = el('option', { value: d.doc_id }, d.title + (d.doc_number ? '（' + d.doc_number + '）' : ''));
      if (d.doc_id === value) o.selected = true; return o;
    }));
    const addQuote = (docId, text) => {
      const t = el('textarea', { class: 'ed-quote', maxlength: 1000 }); t.value = text || '';
      const row = el('div', { class: 'quote-row' }, docSelect(docId), t, el('button', { type: 'button', class: 'plain', onclick: () => row.remove() }, T.remove));
      quotes.appendChild(row);
    };
    (draft.citations || []).forEach(c => addQuote(c.doc_id, c.quote));
    if (!(draft.citations || []).length) addQuote('', '');
    const found = el('div', { id: 'ed-found' });
    const find = async () => {
      const out = await run(() => api('POST', '/v1/retrieval-test', { question: q.value || ans.value, k: 5 }));
      clear(found);
      if (!out) return;
      for (const p of out.passages) {
        found.appendChild(el('div', { class: 'card' }, el('div', { class: 'muted' }, p.title + (p.section ? ' · ' + p.section : '')),
          el('div', { class: 'quote' }, p.text),
          el('button', { type: 'button', class: 'plain use-passage', onclick: () => {
            const empty = [...quotes.querySelectorAll('.quote-row')].find(r => !r.querySelector('.ed-quote').value);
            if (empty) { empty.querySelector('.ed-doc').value = p.doc_id; empty.querySelector('.ed-quote').value = p.text; } else addQuote(p.doc_id, p.text);
          } }, T.useThis)));
      }
    };
    const save = async () => {
      const body = {
        question: q.value.trim(),
        phrasings: ph.value.split('\n').map(s => s.trim()).filter(Boolean),
        answer: ans.value.trim(),
        citations: [...quotes.querySelectorAll('.quote-row')].map(r => ({ doc_id: r.querySelector('.ed-doc').value, quote: r.querySelector('.ed-quote').value }))
          .filter(c => c.quote.trim()),
        resolve_unanswered: draft.resolve_unanswered || [],
        resolve_feedback: draft.resolve_feedback || [],
      };
      const out = await run(() => draft.id ? api('PUT', '/v1/curated/' + draft.id, body) : api('POST', '/v1/curated', body), T.saved);
      if (out) showCurated(root);
    };
    root.appendChild(el('div', { class: 'card editor' },
      el('h2', {}, draft.id ? T.edit : T.newCurated),
      el('label', {}, T.question, q), el('label', {}, T.phrasings, ph), el('label', {}, T.answerText, ans),
      el('div', {}, T.quotes), quotes,
      el('div', { class: 'row' },
        el('button', { type: 'button', class: 'plain', onclick: () => addQuote('', '') }, T.addQuote),
        el('button', { type: 'button', class: 'plain', id: 'ed-find', onclick: find }, T.findSource)),
      found,
      el('div', { class: 'row' }, el('button', { type: 'button', id: 'ed-save', onclick: save }, T.save),
        el('button', { type: 'button', class: 'plain', onclick: () => showCurated(root) }, T.cancel))));
  }

  // -- 文件库 ---------------------------------------------------------------------------------------------------
  function jobLine(job) {
    if (job.status === 'queued') return T.queued(job.queue_position);
    if (job.status === 'running') return (T.stages[job.stage] || job.stage) + (job.total ? ' ' + job.done + '/' + job.total : '');
    if (job.status === 'done') return T.jobDone + '：' + T.summary(job.summary);
    return (job.status === 'refused' ? T.jobRefused : T.jobFailed) + (job.detail || '');
  }
  function watchJob(id, box) {
    const bar = el('span', {});
    const line = el('div', { class: 'job-line' });
    clear(box).append(el('div', { class: 'progress' }, bar), line);
    let settle = 30;  // a done job is shown once this API serves what it published (a few seconds at most)
    const tick = async () => {
      let job;
      try { job = await api('GET', '/v1/ingest/jobs/' + id); } catch (e) { line.textContent = e.message; return; }
      line.textContent = jobLine(job);
      bar.style.width = job.status === 'done' ? '100%' : job.total ? Math.round(100 * job.done / job.total) + '%' : '10%';
      if (job.status === 'done' && !job.live && settle-- > 0) { setTimeout(tick, 1000); return; }
      line.dataset.status = job.status;
      if (['done', 'failed', 'refused'].includes(job.status)) { DOCS = []; if (job.status === 'done') showDocs(); return; }
      setTimeout(tick, 1000);
    };
    tick();
  }
  let showDocs = () => {};
  async function showLibrary(root) {
    clear(root).appendChild(el('p', { class: 'muted' }, T.loading));
    const lib = await run(() => api('GET', '/v1/library'));
    if (!lib) return;
    clear(root);
    root.appendChild(el('h2', {}, T.libraryTitle));
    if (ME.kind === 'admin') {
      const file = el('input', { type: 'file', id: 'upload-file', accept: '.md,.txt,.docx,.pdf,.html,.htm' });
      const jobBox = el('div', { id: 'upload-job' });
      root.appendChild(el('div', { class: 'card' }, el('h3', {}, T.upload), el('p', { class: 'muted' }, T.uploadHint(lib.upload_max_bytes)),
        el('div', { class: 'row' }, el('div', { class: 'grow' }, file), el('button', { type: 'button', id: 'upload-go', onclick: async () => {
          if (!file.files.length) return;
          if (file.files[0].size > lib.upload_max_bytes) { say(T.failed + T.uploadHint(lib.upload_max_bytes), true); return; }
          const form = new FormData(); form.append('file', file.files[0]);
          say(T.uploading);
          const job = await run(() => api('POST', '/v1/documents', form, true));
          if (job) { say(''); watchJob(job.id, jobBox); }
        } }, T.upload)), jobBox));
    }
    const test = el('input', { id: 'test-question', maxlength: 500 });
    const testOut = el('div', { id: 'test-out' });
    root.appendChild(el('div', { class: 'card' }, el('h3', {}, T.testTitle), el('p', { class: 'muted' }, T.testHint),
      el('div', { class: 'row' }, el('div', { class: 'grow' }, test), el('button', { type: 'button', id: 'test-go', onclick: () => runTest(test.value, testOut) }, T.test)), testOut));
    const table = el('div', { id: 'doc-table' });
    root.appendChild(table);
    showDocs = async () => {
      const fresh = await run(() => api('GET', '/v1/library'));
      if (fresh) renderDocs(fresh, table);
    };
    renderDocs(lib, table);
    if (lib.jobs.length) {
      root.appendChild(el('h3', {}, T.jobsTitle));
      root.appendChild(el('ul', {}, lib.jobs.map(j => el('li', {}, when(j.created_at) + ' ' + (j.filename || j.doc_id || j.kind) + '：' + jobLine(j)))));
    }
  }
  function renderDocs(lib, box) {
    const admin = ME.kind === 'admin';
    const mark = async (doc, status) => {
      let body = { status };
      if (status === 'superseded') {
        const by = window.prompt(T.supersededPrompt, '');
        if (!by) return;
        body.superseded_by = by.trim();
      }
      if (status === 'withdrawn' && !window.confirm(T.confirmWithdraw)) return;
      const job = await run(() => api('POST', '/v1/documents/' + encodeURIComponent(doc.doc_id) + '/status', body));
      if (job) watchJob(job.id, $('upload-job') || box);
    };
    const rows = lib.documents.map(d => {
      const state = !d.live ? el('span', { class: 'badge bad' }, T.withdrawn)
        : d.superseded_by ? el('span', { class: 'badge warn' }, T.supersededBy + d.superseded_by)
        : d.in_force ? el('span', { class: 'badge ok' }, T.inForce) : el('span', { class: 'badge warn' }, T.expired);
      const pending = d.mark && ((d.mark.status === 'withdrawn' && d.live) || (d.mark.status === 'superseded' && !d.superseded_by)) ? T.pendingMark : '';
      return el('tr', { 'data-doc': d.doc_id },
        el('td', { 'data-label': T.title }, d.title),
        el('td', { 'data-label': T.docNo }, d.doc_number || '—'),
        el('td', { 'data-label': T.validity }, d.effective_from || d.effective_to ? T.from_to(d.effective_from, d.effective_to) : '—'),
        el('td', { 'data-label': T.state }, state, pending),
        el('td', { 'data-label': T.origin }, d.uploaded ? T.uploaded : T.corpus),
        admin ? el('td', { 'data-label': T.actions }, el('div', { class: 'row' },
          d.live && !d.superseded_by ? el('button', { type: 'button', class: 'plain', onclick: () => mark(d, 'superseded') }, T.markSuperseded) : null,
          d.live ? el('button', { type: 'button', class: 'danger', onclick: () => mark(d, 'withdrawn') }, T.withdraw) : null,
          d.mark ? el('button', { type: 'button', class: 'plain', onclick: () => mark(d, 'in_force') }, T.restore) : null)) : null);
    });
    clear(box).appendChild(el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, T.title), el('th', {}, T.docNo), el('th', {}, T.validity),
      el('th', {}, T.state), el('th', {}, T.origin), admin ? el('th', {}, T.actions) : null)), el('tbody', {}, rows)));
  }
  async function runTest(question, box) {
    if (!question.trim()) return;
    clear(box).appendChild(el('p', { class: 'muted' }, T.loading));
    const out = await run(() => api('POST', '/v1/retrieval-test', { question, k: 8 }));
    clear(box);
    if (!out) return;
    const a = out.answer;
    const badge = a.abstained ? el('span', { class: 'badge bad' }, T.abstainedBadge)
      : a.source === 'curated' ? el('span', { class: 'badge brand' }, T.curatedBadge) : el('span', { class: 'badge ok' }, T.extractiveBadge);
    box.append(el('h3', {}, T.wouldAnswer, ' ', badge), el('p', { class: 'answer test-answer' }, a.answer),
      a.citations.map(c => el('div', { class: 'quote' }, '[' + c.n + '] ' + c.title + (c.doc_number ? '（' + c.doc_number + '）' : '') + '：' + c.text)),
      el('table', { class: 'passages' }, el('thead', {}, el('tr', {}, [T.rank, T.score, T.legs, T.passage].map(h => el('th', {}, h)))),
        el('tbody', {}, out.passages.map(p => el('tr', {},
          el('td', { 'data-label': T.rank }, String(p.rank)),
          el('td', { 'data-label': T.score }, p.score.toFixed(3) + (p.bm25 !== null ? ' · BM25 ' + p.bm25.toFixed(2) : '') + (p.dense !== null ? ' · 向量 ' + p.dense.toFixed(3) : '')),
          el('td', { 'data-label': T.legs }, p.legs.map(l => el('span', { class: 'badge' }, T.legNames[l] || l))),
          el('td', { 'data-label': T.passage }, el('div', { class: 'muted' }, p.title + (p.section ? ' · ' + p.section : '')), el('div', {}, p.text)))))));
  }

  // -- 户 -------------------------------------------------------------------------------------------------------
  async function showHouseholds(root, page) {
    clear(root);
    root.appendChild(el('h2', {}, T.householdsTitle));
    if (ME.kind !== 'cadre') { root.appendChild(el('p', { class: 'empty' }, T.adminNoHouseholds)); return; }
    const box = el('input', { id: 'hh-query', placeholder: T.searchHint, maxlength: 32 });
    const list = el('div', { id: 'hh-list' });
    root.appendChild(el('div', { class: 'row' }, el('div', { class: 'grow' }, box), el('button', { type: 'button', onclick: async () => {
      if (box.value.trim().length < 2) return;
      const out = await run(() => api('POST', '/v1/households/search', { query: box.value.trim(), limit: 20 }));
      if (out) renderHouseholds(out.items, list, null);
    } }, T.search)));
    root.appendChild(list);
    const p = page || 1;
    const out = await run(() => api('GET', '/v1/households?page=' + p + '&page_size=20'));
    if (out) renderHouseholds(out.items, list, out);
  }
  function renderHouseholds(items, box, paging) {
    const rows = items.map(h => el('tr', {},
      el('td', { 'data-label': T.hh.no }, el('a', { href: '#households', onclick: e => { e.preventDefault(); showHousehold(h.household_no, box); } }, h.household_no)),
      el('td', { 'data-label': T.hh.head }, h.head_name || ''), el('td', { 'data-label': T.hh.village }, (h.township || '') + (h.village || '')),
      el('td', { 'data-label': T.hh.type }, (h.household_type || '') + (h.monitoring_type ? '（' + h.monitoring_type + '）' : '')),
      el('td', { 'data-label': T.hh.risk }, h.risk_label || '—'), el('td', { 'data-label': T.hh.size }, h.size === null || h.size === undefined ? '' : String(h.size))));
    clear(box).appendChild(el('table', {}, el('thead', {}, el('tr', {}, Object.values(T.hh).map(x => el('th', {}, x)))), el('tbody', {}, rows)));
    if (paging) {
      const pages = Math.max(1, Math.ceil(paging.total / paging.page_size));
      box.appendChild(el('div', { class: 'row' }, el('span', { class: 'muted' }, T.page(paging.page, paging.total)),
        paging.page > 1 ? el('button', { type: 'button', class: 'plain', onclick: () => showHouseholds($('households'), paging.page - 1) }, T.prev) : null,
        paging.page < pages ? el('button', { type: 'button', class: 'plain', onclick: () => showHouseholds($('households'), paging.page + 1) }, T.next) : null));
    }
  }
  async function showHousehold(no, box) {
    const out = await run(() => api('GET', '/v1/households/' + encodeURIComponent(no)));
    if (!out) return;
    const h = out.household || {};
    clear(box).append(el('button', { type: 'button', class: 'plain', onclick: () => showHouseholds($('households')) }, T.back),
      el('div', { class: 'card' }, el('h3', {}, no + ' ' + (h.head_name || '')), el('p', { class: 'answer' }, out.summary || ''),
        el('h3', {}, T.members), el('ul', {}, (out.members || []).map(m => el('li', {},
          [m.name, m.relation, m.id_masked, m.age === null || m.age === undefined ? '' : m.age + '岁', m.health, m.schooling].filter(Boolean).join(' · ')))),
        el('h3', {}, T.payments), el('ul', {}, (out.payments || []).map(p => el('li', {}, p.paid_on + ' ' + p.item + ' ' + p.amount + '元（' + p.channel + '）'))),
        out.helper && out.helper.name ? el('p', { class: 'muted' }, T.helper + out.helper.name + (out.helper.phone ? ' ' + out.helper.phone : '')) : null));
  }

  // -- 案件, 审计 ------------------------------------------------------------------------------------------------
  function showCases(root) { return window.WB_CASES.show(root); }  // cases.js
  async function showAudit(root) {
    const today = new Date().toISOString().slice(0, 10);
    const since = el('input', { type: 'date', id: 'audit-since', value: today });
    const until = el('input', { type: 'date', id: 'audit-until' });
    const link = el('a', { class: 'button', id: 'audit-download', href: '/v1/audit?since=' + today }, T.download);
    const update = () => { link.href = '/v1/audit?since=' + (since.value || today) + (until.value ? '&until=' + until.value : ''); };
    since.addEventListener('change', update); until.addEventListener('change', update);
    clear(root).append(el('h2', {}, T.auditTitle), el('p', { class: 'muted' }, T.auditHint),
      el('div', { class: 'card row' }, el('label', {}, T.since, since), el('label', {}, T.until, until), link));
    if (ME.kind !== 'admin') return;
    const out = await run(() => api('GET', '/v1/admin/sessions'));
    if (!out) return;
    root.append(el('h2', {}, T.sessionsTitle), el('p', { class: 'muted' }, T.sessionsHint),
      el('ul', { id: 'sessions' }, out.sessions.map(x => el('li', {}, x.who + ' · ' + T.since + ' ' + when(x.created_at) + ' · ' + T.lastSeen + ' ' + when(x.last_seen_at) + ' ',
        el('button', { type: 'button', class: 'danger', onclick: async () => {
          if (await run(() => api('POST', '/v1/admin/sessions/' + x.id + '/revoke'), T.saved) !== undefined) showAudit(root);
        } }, T.revoke)))));
  }

  // the helpers the other tabs' scripts use (cases.js)
  window.WB = Object.freeze({ el, clear, when, say, api, run, me: () => ME });

  // -- start ---------------------------------------------------------------------------------------------------
  async function start() {
    ME = await run(() => api('GET', '/v1/workbench/me'));
    if (!ME) return;
    CSRF = ME.csrf || '';
    $('who').textContent = ME.kind === 'admin' ? T.whoAdmin(ME.name) : T.whoCadre(ME.name, ME.area);
    document.querySelector('[data-tab="audit"]').hidden = !ME.county_level;
    $('signout').addEventListener('click', async () => {
      await run(() => api('POST', '/v1/workbench/signout'));
      location.assign('/workbench');
    });
    window.addEventListener('hashchange', route);
    route();
  }
  start();
})();
