/* 帮扶通 chat widget: <script src="https://api.example/widget.js" data-api-key="KEY" async></script>
 * Optional data-api-url (default: this script's origin), data-title. Plain ES2017, no build step.
 * Lives in a Shadow DOM; API data is only ever set as text, never parsed as HTML. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__bangfuWidget) return;
  window.__bangfuWidget = true;

  const API = (script.getAttribute('data-api-url') || new URL(script.src, location.href).origin).replace(/\/+$/, '');
  const KEY = script.getAttribute('data-api-key') || '';
  const TIMEOUT_MS = 20000;

  // Every user-facing text, in one place for review.
  const T = {
    bubble: '问政策',
    bubbleLabel: '打开帮扶通，问帮扶政策',
    title: script.getAttribute('data-title') || '帮扶通 · 政策问答',
    close: '关闭',
    welcome: '您好！帮扶政策上的事都可以问我，比如：“我家房子漏雨能修吗？”',
    hint: '回答里的 [1]、[2] 是出处，点一下就能看政策原文。',
    placeholder: '在这里输入您的问题',
    send: '发送',
    checkStart: '看看我能享受哪些政策',
    thinking: '正在查政策，请稍等……',
    sources: '出处（点开看原文）：',
    docNo: '文号：',
    cite: n => '看出处' + n,
    measures: '可能有关的帮扶项目：',
    checkThese: '看看我能不能享受这些',
    step: n => '第' + n + '题',
    ok: '确定',
    done: '选好了',
    number: '请填一个数字',
    back: '上一题',
    restart: '重新开始',
    toAsk: '回去问问题',
    loading: '正在看，请稍等……',
    retry: '再试一次',
    yes: n => '可以申请（' + n + '项）',
    // from amount_value {value, unit: '元/月', bound}, as the bot says it
    gives: r => {
      const v = r.amount_value, [c, u] = v ? v.unit.split('/') : [];
      return v ? '可以申请，每' + u + (v.bound === 'up_to' ? '最多' : '') + v.value + c + (v.bound === 'from' ? '起' : '')
        : r.amount ? '可以申请。' + r.amount : '可以申请';
    },
    confirm: '申请时还要核实：',
    none: '按您说的情况，暂时没有找到能申请的项目。',
    no: n => '还不符合（' + n + '项）',
    unsure: n => '还说不准（' + n + '项）',
    note: '这只是初步判断，能不能办最后要村里和乡镇审核。想申请，请找本村帮扶责任人或村委会。',
    network: '连不上网，请看看手机信号或网络，再试一次。',
    timeout: '等了很久没有回音，请稍后再试。',
    badKey: '密钥无效，请告诉网站管理员。',
    busy: '使用太频繁，请稍后再试。',
    busyFor: s => '使用太频繁，请稍后再试（大约' + s + '秒后）。',
    server: '服务暂时出了问题，请稍后再试。',
    badInput: '这句话太长或认不出来，请换个说法再试。',
    other: '出了点问题，请稍后再试。',
  };

  // em of `medium` (the user's browser font size, not the page's rem): 1.125em = 18px by default.
  const CSS = `
:host{all:initial!important;font-size:medium!important}
*{box-sizing:border-box}
[hidden]{display:none!important}
.w{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;font-size:1.125em;line-height:1.6;color:#1b1b1b}
button,input{font:inherit;color:inherit;margin:0}
button{cursor:pointer;min-height:max(44px,2.5em);border-radius:.5em}
button:disabled{opacity:.55}
:focus-visible{outline:3px solid #e09b00;outline-offset:2px}
.bubble,.panel{position:fixed;right:1em;bottom:1em;z-index:2147483000;box-shadow:0 .3em 1.5em #0006}
.bubble{display:flex;align-items:center;gap:.4em;min-height:max(56px,3.2em);padding:0 1.2em;border:2px solid #fff;border-radius:2em}
.bubble svg{width:1.4em;height:1.4em;fill:#fff}
.panel{width:min(26em,calc(100vw - 2em));height:min(42em,calc(100vh - 2em));display:flex;flex-direction:column;background:#fff;border-radius:.8em;overflow:hidden}
@media (max-width:37.5em){.panel{inset:0;width:auto;height:auto;border-radius:0}}
.head{display:flex;align-items:center;padding:.3em .3em .3em 1em}
.head h2{flex:1;margin:0;font-size:1.05em}
.close{min-width:max(44px,2.5em);border:0;background:none;font-size:1.5em}
.bubble,.head,.close,.primary{background:#0a5c36;color:#fff;font-weight:700}
.body{position:relative;flex:1;overflow-y:auto;overscroll-behavior:contain;padding:1em;background:#f4f6f3}
.foot,.row{display:flex;flex-wrap:wrap;gap:.5em}
.foot{padding:.6em;border-top:1px solid #d5dad3}
.foot form{display:flex;gap:.5em;width:100%}
.wide{width:100%}
.q{flex:1;min-width:0;min-height:max(44px,2.5em);padding:.3em .7em;border:2px solid #7d877f;border-radius:.5em}
.primary,.secondary,.opt{padding:.2em 1em;border:2px solid #0a5c36;font-weight:700}
.secondary,.opt{background:#fff;color:#0a5c36}
.foot .secondary{flex:1 1 auto}
.msg{margin:0 0 .8em;padding:.7em .9em;border:1px solid #d5dad3;border-radius:.7em;background:#fff;overflow-wrap:anywhere}
.me{margin-left:2em;background:#e2f0e7}
.err{background:#fdeeee;color:#731414}
.abstain{background:#fff7df}
.wait,.step,.note,.confirm{color:#4a524c}
.text,blockquote{white-space:pre-wrap}
.cite{position:relative;min-height:0;margin:0 .15em;padding:0 .3em;font-size:.85em;font-weight:700;line-height:1.5}
.cite::after{content:"";position:absolute;inset:-.75em -.25em}
.cite,.chip{border:1px solid #8fa9cc;background:#eef4fb;color:#0b3d7a}
[aria-expanded=true]{background:#0b3d7a;color:#fff}
.label,.name,.gives,.t,summary{font-weight:700}
.label{margin:.7em 0 .2em}
.chip,.opt{display:block;width:100%;margin:.4em 0;text-align:left}
.quote{margin:.2em 0 .7em;padding:.6em .8em;border-left:.3em solid #0b3d7a;background:#f6f8fb}
.meta,.note{font-size:.9em}
blockquote{margin:.4em 0 0}
ul{margin:.2em 0;padding-left:1.3em}
.qt{margin:0 0 .6em;font-size:1.1em;outline:none}
.step{display:block;font-size:.8em;font-weight:400}
.opt,.tick{min-height:max(52px,3em)}
.tick{display:flex;align-items:center;gap:.7em;margin:.5em 0;padding:.4em .8em;border:2px solid #7d877f;border-radius:.6em;background:#fff}
.tick:has(:checked){border-color:#0a5c36;background:#e2f0e7}
.tick input{flex:none;width:1.4em;height:1.4em;margin:0}
.card{margin:.5em 0;padding:.6em .8em;border:1px solid #d5dad3;border-left:.3em solid #0a5c36;border-radius:.5em;background:#fff}
.no{border-left-color:#8a918b}
summary{padding:.6em .5em;cursor:pointer}
`;

  let seq = 0, blockedUntil = 0;

  // Element with attributes and children (arrays too); strings become text nodes, never HTML.
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    if (tag === 'button') el.type = 'button';
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k === 'class') el.className = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    return put(el, kids);
  }
  function put(el, ...kids) {
    const add = kid => {
      if (Array.isArray(kid)) kid.forEach(add);
      else if (kid != null && kid !== false) el.append(kid);
    };
    add(kids);
    return el;
  }
  const clear = el => { el.textContent = ''; };

  class ApiError extends Error {}

  function retryAfter(value) {
    if (!value) return 0;
    const s = /^\s*\d+\s*$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
    return s > 0 ? Math.min(Math.ceil(s), 3600) : 0;
  }

  async function post(path, body) {
    const wait = Math.ceil((blockedUntil - Date.now()) / 1000);
    if (wait > 0) throw new ApiError(T.busyFor(wait));
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
    const headers = { 'Content-Type': 'application/json' };
    if (KEY) headers['X-API-Key'] = KEY;
    try {
      let res;
      try {
        res = await fetch(API + path, {
          method: 'POST', headers: headers, body: JSON.stringify(body), signal: ctrl.signal, credentials: 'omit',
        });
      } catch (e) {
        throw new ApiError(ctrl.signal.aborted ? T.timeout : T.network);
      }
      const st = res.status;
      if (st === 429) {
        const s = retryAfter(res.headers.get('Retry-After'));
        if (s) blockedUntil = Date.now() + s * 1000;
        throw new ApiError(s ? T.busyFor(s) : T.busy);
      }
      if (!res.ok) {
        throw new ApiError(st === 401 || st === 403 ? T.badKey : st >= 500 ? T.server
          : st === 413 || st === 422 ? T.badInput : T.other);
      }
      return await res.json().catch(() => { throw new ApiError(ctrl.signal.aborted ? T.timeout : T.other); });
    } finally {
      clearTimeout(timer);
    }
  }

  function errorBox(err) {
    if (!(err instanceof ApiError)) console.error('bangfu widget:', err);
    return h('div', { class: 'msg err', role: 'alert', text: err instanceof ApiError ? err.message : T.other });
  }

  // ---- the shell: bubble and dialog panel ----
  const host = document.createElement('bangfu-widget');
  const root = host.attachShadow({ mode: 'open' });
  const narrow = window.matchMedia('(max-width: 37.5em)');

  const NS = 'http://www.w3.org/2000/svg', svg = document.createElementNS(NS, 'svg'), icon = document.createElementNS(NS, 'path');
  svg.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
  svg.append(icon);

  const bubble = h('button', {
    class: 'bubble', 'aria-label': T.bubbleLabel, 'aria-haspopup': 'dialog', 'aria-expanded': 'false',
    onclick: () => setOpen(true),
  }, svg, h('span', { text: T.bubble }));
  const closeBtn = h('button', { class: 'close', 'aria-label': T.close, text: '×', onclick: () => setOpen(false) });
  const input = h('input', {
    class: 'q', type: 'text', maxlength: 500, enterkeyhint: 'send', autocomplete: 'off',
    placeholder: T.placeholder, 'aria-label': T.placeholder,
  });
  const sendBtn = h('button', { class: 'primary', type: 'submit', text: T.send });
  const log = h('div', { class: 'body', role: 'log', 'aria-live': 'polite' },
    h('div', { class: 'msg' }, h('div', { text: T.welcome }), h('div', { class: 'note', text: T.hint })));
  const askFoot = h('div', { class: 'foot' },
    h('button', { class: 'secondary wide', text: T.checkStart, onclick: () => startCheck(null) }),
    h('form', { onsubmit: onAsk }, input, sendBtn));
  const checkBody = h('div', { class: 'body', hidden: true });
  const backBtn = h('button', { class: 'secondary', text: T.back, onclick: goBack });
  const checkFoot = h('div', { class: 'foot', hidden: true },
    backBtn,
    h('button', { class: 'secondary', text: T.restart, onclick: () => startCheck(check.scope) }),
    h('button', { class: 'secondary', text: T.toAsk, onclick: showAsk }));
  const panel = h('div', { class: 'panel', role: 'dialog', 'aria-labelledby': 'bf-title', hidden: true },
    h('div', { class: 'head' }, h('h2', { id: 'bf-title', text: T.title }), closeBtn),
    log, askFoot, checkBody, checkFoot);
  root.append(h('style', { text: CSS }), h('div', { class: 'w', lang: 'zh-CN' }, bubble, panel));

  function setOpen(open) {
    panel.setAttribute('aria-modal', String(narrow.matches));
    panel.hidden = !open;
    bubble.hidden = open;
    bubble.setAttribute('aria-expanded', String(open));
    (open ? (checkBody.hidden ? input : checkBody.querySelector('.qt') || checkBody) : bubble).focus();
  }

  panel.addEventListener('keydown', e => {
    if (e.key === 'Escape') {
      e.preventDefault();
      setOpen(false);
    } else if (e.key === 'Tab' && narrow.matches) {
      // Full screen is modal: keep Tab inside the panel.
      const all = Array.prototype.filter.call(
        panel.querySelectorAll('button,input,summary'), el => !el.disabled && el.getClientRects().length);
      if (!all.length) return;
      const first = all[0], last = all[all.length - 1], now = root.activeElement;
      if (e.shiftKey && now === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && now === last) { e.preventDefault(); first.focus(); }
    }
  });

  const scrollTo = (box, el) => { box.scrollTop = el.offsetTop - 8; };

  // ---- asking ----
  let asking = false, conv = null; // conv: the conversation follow-ups (要带什么材料) are read in

  function onAsk(e) {
    e.preventDefault();
    ask(input.value.trim());
  }

  async function ask(question) {
    if (!question || asking) return;
    asking = true;
    sendBtn.disabled = true;
    log.append(h('div', { class: 'msg me', text: question }));
    input.value = '';
    const wait = h('div', { class: 'msg wait', text: T.thinking });
    log.append(wait);
    scrollTo(log, wait);
    let out;
    try {
      const d = await post('/v1/ask', conv ? { question: question, conversation_id: conv } : { question: question });
      conv = d.conversation_id || conv;
      out = renderAnswer(d);
    } catch (err) {
      out = errorBox(err);
    } finally {
      asking = false;
      sendBtn.disabled = false;
    }
    wait.replaceWith(out);
    scrollTo(log, out);
  }

  function renderAnswer(d) {
    const id = ++seq;
    const box = h('div', { class: 'msg answer' + (d.abstained ? ' abstain' : '') });
    const byN = {};
    const cites = Array.isArray(d.citations) ? d.citations : [];
    const src = cites.length ? h('div', { class: 'src' }, h('div', { class: 'label', text: T.sources })) : null;
    cites.forEach(c => {
      const meta = [c.doc_number ? T.docNo + c.doc_number : '', c.section || ''].filter(Boolean).join('　');
      const quote = h('div', { class: 'quote', id: 'bf-' + id + '-' + c.n, hidden: true },
        h('div', { class: 't', text: '《' + c.title + '》' }),
        meta ? h('div', { class: 'meta', text: meta }) : null,
        h('blockquote', { text: c.text }));
      const chip = citeButton('chip', c.n, quote.id, '[' + c.n + '] 《' + c.title + '》' + (c.section ? ' ' + c.section : ''));
      byN[c.n] = { quote: quote, buttons: [chip] };
      src.append(chip, quote);
    });

    function citeButton(cls, n, controls, text) {
      return h('button', {
        class: cls, 'aria-expanded': 'false', 'aria-controls': controls, text: text,
        'aria-label': cls === 'cite' ? T.cite(n) : null, onclick: () => toggle(n),
      });
    }

    function toggle(n) {
      const entry = byN[n];
      const show = entry.quote.hidden;
      entry.quote.hidden = !show;
      entry.buttons.forEach(b => b.setAttribute('aria-expanded', String(show)));
      if (show) entry.quote.scrollIntoView({ block: 'nearest' });
    }

    // The answer's [n] markers become buttons; a marker without a citation stays plain text.
    const text = h('div', { class: 'text' });
    const answer = String(d.answer == null ? '' : d.answer);
    const re = /\[(\d+)\]/g;
    let last = 0, m;
    while ((m = re.exec(answer))) {
      const entry = byN[Number(m[1])];
      if (!entry) continue;
      text.append(answer.slice(last, m.index));
      const b = citeButton('cite', Number(m[1]), entry.quote.id, m[0]);
      entry.buttons.push(b);
      text.append(b);
      last = re.lastIndex;
    }
    text.append(answer.slice(last));
    box.append(text);
    if (src) box.append(src);

    // A follow-up with no context: the likeliest measures, one button each, asking the question about it.
    (Array.isArray(d.clarify) ? d.clarify : []).forEach(c => box.append(
      h('button', { class: 'secondary wide', text: c.name, onclick: () => ask(c.question || c.name) })));
    const measures = Array.isArray(d.measures) ? d.measures : [];
    if (measures.length) {
      box.append(h('div', { class: 'label', text: T.measures }),
        h('ul', null, measures.map(x => h('li', { text: x.name }))),
        h('button', {
          class: 'secondary wide', text: T.checkThese,
          onclick: () => startCheck(measures.map(x => x.id)),
        }));
    }
    return box;
  }

  // ---- quick eligibility check ----
  const check = { facts: {}, history: [], scope: null, run: 0 };

  function showCheck(on) {
    log.hidden = askFoot.hidden = on;
    checkBody.hidden = checkFoot.hidden = !on;
  }

  function showAsk() {
    check.run++;
    showCheck(false);
    input.focus();
  }

  function startCheck(scope) {
    check.facts = {};
    check.history = [];
    check.scope = scope;
    showCheck(true);
    runCheck();
  }

  function choose(facts) {
    check.history.push(check.facts);
    check.facts = facts;
    runCheck();
  }

  function goBack() {
    if (!check.history.length) return;
    check.facts = check.history.pop();
    runCheck();
  }

  async function runCheck() {
    const run = ++check.run;
    backBtn.disabled = true;
    clear(checkBody);
    checkBody.append(h('p', { class: 'wait', text: T.loading }));
    const body = { facts: check.facts };
    if (check.scope) body.measure_ids = check.scope;
    let d, error;
    try {
      d = await post('/v1/eligibility', body);
    } catch (err) {
      error = err;
    }
    if (run !== check.run) return; // the user moved on
    backBtn.disabled = !check.history.length;
    clear(checkBody);
    if (error) {
      put(checkBody, errorBox(error),
        h('button', { class: 'secondary wide', text: T.retry, onclick: runCheck }));
    } else {
      const q = d.next_question;
      if (q && !(q.kind === 'checklist' && !(q.options || []).length)) renderQuestion(q);
      else renderResults(Array.isArray(d.results) ? d.results : []);
    }
    checkBody.scrollTop = 0;
    // Move focus to the new question or result, unless the user is busy elsewhere on the host page.
    const title = checkBody.querySelector('.qt');
    const now = document.activeElement;
    if (title && !panel.hidden && (!now || now === host || now === document.body)) title.focus();
  }

  function renderQuestion(q) {
    const opts = Array.isArray(q.options) ? q.options : [];
    const titleId = 'bf-q' + check.run;
    const group = h('div', { role: 'group', 'aria-labelledby': titleId });
    const lock = () => group.querySelectorAll('button,input').forEach(el => { el.disabled = true; });
    const withFact = (name, value) => { const f = Object.assign({}, check.facts); f[name] = value; return f; };
    put(checkBody, h('h3', { class: 'qt', id: titleId, tabindex: -1 },
      h('span', { class: 'step', text: T.step(check.history.length + 1) }), q.question), group);

    if (q.kind === 'checklist') {
      // Each option names a fact: ticked → true, unticked → false.
      const ticks = opts.map(o => ({ fact: o.fact || o.value, box: h('input', { type: 'checkbox' }), label: o.label }));
      put(group, ticks.map(t => h('label', { class: 'tick' }, t.box, h('span', { text: t.label }))),
        h('button', {
          class: 'primary wide', text: T.done,
          onclick: () => {
            const f = Object.assign({}, check.facts);
            ticks.forEach(t => { if (typeof t.fact === 'string' && t.fact) f[t.fact] = t.box.checked; });
            lock();
            choose(f);
          },
        }));
    } else if (opts.length) {
      put(group, opts.map(o => h('button', {
        class: 'opt', text: o.label,
        onclick: () => { lock(); choose(withFact(q.fact, o.value)); },
      })));
    } else {
      // A number fact without answer buttons: ask for the number.
      const num = h('input', { class: 'q', type: 'number', inputmode: 'numeric', min: 0, max: 150, 'aria-label': T.number });
      const ok = h('button', { class: 'primary', type: 'submit', text: T.ok });
      put(group, h('form', {
        class: 'row', onsubmit: e => {
          e.preventDefault();
          const n = parseInt(num.value, 10);
          if (isNaN(n)) return num.focus();
          lock();
          choose(withFact(q.fact, n));
        },
      }, num, ok));
    }
  }

  function renderResults(results) {
    const by = s => results.filter(r => r.status === s);
    const yes = by('eligible'), no = by('ineligible'), unsure = by('need_info');
    const card = (r, cls) => h('div', { class: 'card ' + cls },
      h('div', { class: 'name', text: r.name }),
      cls === 'yes' ? h('div', { class: 'gives', text: T.gives(r) }) : null,
      (r.reasons || []).length ? h('ul', null, r.reasons.map(x => h('li', { text: x }))) : null,
      cls !== 'no' && (r.to_confirm || []).length
        ? h('p', { class: 'confirm', text: T.confirm + r.to_confirm.join('；') }) : null);
    const fold = (title, list) => list.length
      ? h('details', { class: 'fold' }, h('summary', { text: title }), list.map(r => card(r, 'no'))) : null;
    put(checkBody,
      h('h3', { class: 'qt', tabindex: -1, text: yes.length ? T.yes(yes.length) : T.none }),
      yes.map(r => card(r, 'yes')),
      fold(T.no(no.length), no),
      fold(T.unsure(unsure.length), unsure),
      h('p', { class: 'note', text: T.note }));
  }

  const mount = () => document.body.append(host);
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
