/* 帮扶通 county workbench: the 案件 tab (the case queue of the hardship reports, /v1/cases). Uses app.js's helpers
 * (window.WB, set before any tab is drawn); API data is only ever set as text. The actions offered follow the
 * procedure of core/cases/workflow.py; the API decides and refuses anything else. */
(function () {
  'use strict';

  const T = window.WB_TEXTS;
  const STATUSES = ['reported', 'village_verified', 'township_reviewed', 'returned', 'included', 'not_included', 'withdrawn'];
  const FINAL = ['included', 'not_included', 'withdrawn'];
  const MOVES = { reported: ['verify'], village_verified: ['review'], township_reviewed: ['decide', 'reject'] };
  const NEEDS_NOTE = ['reject', 'return', 'note'];
  const path = id => '/v1/cases/' + encodeURIComponent(id);

  // What the signed-in user may do to a case: the step of their level (an admin: any), return and withdraw of an
  // open step, and a note at any time.
  function allowed(c, me) {
    if (FINAL.includes(c.status)) return ['note'];
    const mine = me.kind === 'admin' || c.waits_on === me.level;
    const out = [];
    if (c.status === 'returned') out.push('withdraw');
    else if (mine) out.push(...(MOVES[c.status] || []), 'return', 'withdraw');
    out.push('note');
    return out;
  }

  async function show(root) {
    const { el, clear } = window.WB;
    const status = el('select', { id: 'case-status' }, el('option', { value: '' }, T.caseAll),
      STATUSES.map(s => el('option', { value: s }, T.caseStatus[s])));
    const overdue = el('select', { id: 'case-overdue' }, el('option', { value: '' }, T.caseAll),
      el('option', { value: 'true' }, T.caseOverdueOnly), el('option', { value: 'false' }, T.caseInTime));
    const village = el('input', { id: 'case-village', placeholder: T.caseVillageHint, maxlength: 50 });
    const list = el('div', { id: 'case-list' });
    const load = () => showList(list, { status: status.value, overdue: overdue.value, village: village.value.trim() });
    [status, overdue].forEach(s => s.addEventListener('change', load));
    village.addEventListener('keydown', e => { if (e.key === 'Enter') load(); });
    clear(root).append(el('h2', {}, T.casesTitle), el('p', { class: 'muted' }, T.casesHint),
      el('div', { class: 'card row' }, el('label', {}, T.caseStatusLabel, status), el('label', {}, T.caseOverdue, overdue),
        el('label', {}, T.caseVillage, village), el('button', { type: 'button', id: 'case-filter', onclick: load }, T.caseFilter)),
      list);
    await load();
  }

  async function showList(box, filters) {
    const { el, clear, api, run } = window.WB;
    const query = Object.entries(filters).filter(([, v]) => v).map(([k, v]) => k + '=' + encodeURIComponent(v)).join('&');
    clear(box).appendChild(el('p', { class: 'muted' }, T.loading));
    const out = await run(() => api('GET', '/v1/cases' + (query ? '?' + query : '')));
    clear(box);
    if (!out) return;
    if (!out.cases.length) { box.appendChild(el('p', { class: 'empty' }, T.caseNone)); return; }
    const rows = out.cases.map(c => el('tr', { 'data-case': c.case_id },
      el('td', { 'data-label': T.caseCols.id }, el('a', { href: '#cases', class: 'case-open', onclick: e => { e.preventDefault(); showCase(c.case_id, box, filters); } }, c.case_id)),
      el('td', { 'data-label': T.caseCols.village }, c.township + c.village),
      el('td', { 'data-label': T.caseCols.category }, c.category + (c.urgent ? ' ' : ''), c.urgent ? el('span', { class: 'badge warn' }, T.caseUrgent) : null),
      el('td', { 'data-label': T.caseCols.status, class: 'case-status' }, c.status_label),
      el('td', { 'data-label': T.caseCols.due }, c.due || '—', c.overdue ? ' ' : '', c.overdue ? el('span', { class: 'badge bad' }, T.caseOverdueBadge) : null)));
    box.appendChild(el('table', { id: 'case-table' }, el('thead', {}, el('tr', {}, Object.values(T.caseCols).map(x => el('th', {}, x)))), el('tbody', {}, rows)));
  }

  async function showCase(id, box, filters) {
    const { el, clear, api, run, when } = window.WB;
    const c = await run(() => api('GET', path(id)));
    if (!c) return;
    const me = window.WB.me();
    const attachments = c.attachments.map(a => {
      const url = path(id) + '/attachments/' + a.id;
      return el('li', {}, a.content_type.startsWith('image/')
        ? el('a', { href: url, target: '_blank', rel: 'noopener' }, el('img', { src: url, alt: T.casePhoto, class: 'case-photo' }))
        : el('a', { href: url, download: id + '-' + a.id + '.ogg' }, T.caseVoice + ' (' + Math.ceil(a.size / 1024) + ' KB)'));
    });
    const history = c.history.map(s => el('tr', {},
      el('td', { 'data-label': T.caseHist.status }, (T.caseAction[s.action] || s.action) + ' → ' + (T.caseStatus[s.status] || s.status)),
      el('td', { 'data-label': T.caseHist.at }, when(s.at)),
      el('td', { 'data-label': T.caseHist.who }, (T.caseRole[s.actor_role] || s.actor_role) + ' ' + s.actor),
      el('td', { 'data-label': T.caseHist.note }, s.note || '')));
    const facts = [[T.caseCols.village, c.township + c.village], [T.caseCols.category, c.category], [T.caseAmount, T.caseAmounts[c.amount_range] || c.amount_range],
      [T.caseCols.status, c.status_label], [T.caseCols.due, c.due || '—'], [T.caseHousehold, c.household_no || '—'],
      [T.casePhone, c.reporter_phone_masked || ''], [T.caseMonitoring, c.monitoring_type ? c.monitoring_type + (c.risk_label ? '，' + c.risk_label : '') : '']]
      .filter(([, v]) => v);
    clear(box).append(el('button', { type: 'button', class: 'plain', onclick: () => showList(box, filters) }, T.back),
      el('div', { class: 'card', id: 'case-detail' },
        el('h3', {}, c.case_id + ' ', c.overdue ? el('span', { class: 'badge bad' }, T.caseOverdueBadge) : null, c.urgent ? el('span', { class: 'badge warn' }, T.caseUrgent) : null,
          c.on_behalf ? el('span', { class: 'badge' }, T.caseOnBehalf) : null),
        el('ul', { class: 'facts' }, facts.map(([k, v]) => el('li', {}, el('span', { class: 'muted' }, k + '：'), v))),
        el('p', { class: 'answer', id: 'case-description' }, c.description),
        el('h3', {}, T.caseHistory),
        el('table', { id: 'case-history' }, el('thead', {}, el('tr', {}, Object.values(T.caseHist).map(x => el('th', {}, x)))), el('tbody', {}, history)),
        el('h3', {}, T.caseAttachments),
        attachments.length ? el('ul', { class: 'attachments' }, attachments) : el('p', { class: 'muted' }, T.caseNoAttachments)),
      actionBox(c, me, box, filters));
  }

  function actionBox(c, me, box, filters) {
    const { el, api, run } = window.WB;
    const actions = allowed(c, me);
    const note = el('textarea', { id: 'case-note', rows: 3, maxlength: 500, placeholder: T.caseNoteHint });
    const type = el('select', { id: 'case-monitoring' }, el('option', { value: '' }, T.caseChoose), T.caseMonitoringTypes.map(t => el('option', { value: t }, t)));
    const risk = el('select', { id: 'case-risk' }, el('option', { value: '' }, T.caseChoose), T.caseRisks.map(([label, v]) => el('option', { value: v }, label)));
    const act = async action => {
      const body = { action };
      if (note.value.trim()) body.note = note.value.trim();
      else if (NEEDS_NOTE.includes(action)) { window.WB.say(T.caseNoteNeeded, true); note.focus(); return; }
      if (action === 'decide') {
        if (!type.value || !risk.value) { window.WB.say(T.caseDecisionNeeded, true); return; }
        body.monitoring_type = type.value; body.risk_level = risk.value;
      }
      if (await run(() => api('POST', path(c.case_id) + '/actions', body), T.caseDone) !== undefined) showCase(c.case_id, box, filters);
    };
    return el('div', { class: 'card', id: 'case-actions' }, el('h3', {}, T.caseNext),
      el('label', { class: 'grow' }, T.caseNote, note),
      actions.includes('decide') ? el('div', { class: 'row' }, el('label', {}, T.caseMonitoringType, type), el('label', {}, T.caseRisk, risk)) : null,
      el('div', { class: 'row' }, actions.map(a => el('button', { type: 'button', 'data-action': a, class: a === 'reject' || a === 'withdraw' ? 'danger' : a === 'note' ? 'plain' : null,
        onclick: () => act(a) }, T.caseButton[a]))));
  }

  window.WB_CASES = Object.freeze({ show, allowed });
})();
