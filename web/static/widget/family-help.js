/*
 * Family help chat widget. Include it on any page with one tag:
 *
 *   <script src="https://HOST/widget/static/family-help.js" defer
 *           data-server="https://RASA-HOST" data-council="coventry"
 *           data-title="Family help chat" data-colour="#1d70b8"
 *           data-exit-url="https://www.bbc.co.uk/weather"></script>
 *
 * Optional: data-mode="fullscreen" with data-mount="#selector" (the /app page),
 * data-safety-page (the "Staying safe online" page).
 *
 * Rules this file keeps:
 * - every piece of text from the person or the assistant goes in with textContent, never as HTML;
 * - only the public REST channel is used (no API token);
 * - the conversation lives in sessionStorage (this tab only) and "Clear chat" or "Exit this page"
 *   forget it; what the person typed is never lost when the server does not answer.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || window.FamilyHelpChat) { return; }
  var data = script.dataset;
  var base = new URL('.', script.src);
  var opts = {
    server: (data.server || '').replace(/\/+$/, ''),
    council: data.council || 'coventry',
    title: data.title || 'Family help chat',
    colour: /^#[0-9a-fA-F]{6}$/.test(data.colour || '') ? data.colour : '#1d70b8',
    exitUrl: safeHttpUrl(data.exitUrl) || 'https://www.bbc.co.uk/weather',
    fullscreen: data.mode === 'fullscreen',
    mount: data.mount || null,
    safetyPage: safeHttpUrl(data.safetyPage, base) || new URL('../../staying-safe', base).href,
    timeoutMs: Math.max(1000, parseInt(data.timeout, 10) || 30000)
  };
  var STORE_PREFIX = 'familyHelp.';
  var STORE_KEY = STORE_PREFIX + 'chat';
  var INTRO = 'I am an automated assistant, not a person. I can explain children\'s services ' +
    'and who to contact. If a child is in danger now, call 999.';
  // Used only if the council's numbers cannot be loaded either: the two national numbers.
  var FALLBACK_NUMBERS = [
    { service: 'Emergency services: police, ambulance, fire (999)', phone: '999' },
    { service: 'Childline', phone: '0800 1111' }
  ];

  var numbers = null;
  var state = load();
  var ui = {};
  var busy = false;
  var exited = false; // after "Exit this page": nothing is drawn or stored again
  var inFlight = null; // the AbortController of the message being sent

  // ---------- storage (sessionStorage only: this tab, gone when it closes) ----------
  function newState() {
    return { sender: newId(), messages: [], draft: '', open: false };
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || 'null');
      if (saved && typeof saved.sender === 'string' && Array.isArray(saved.messages)) { return saved; }
    } catch (e) { /* storage blocked or corrupt: start again */ }
    return newState();
  }
  function save() {
    if (exited) { return; }
    try { sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function forgetAll() {
    try {
      for (var i = sessionStorage.length - 1; i >= 0; i--) {
        var key = sessionStorage.key(i);
        if (key && key.indexOf(STORE_PREFIX) === 0) { sessionStorage.removeItem(key); }
      }
    } catch (e) { /* nothing stored */ }
  }

  // ---------- small DOM helpers: text only, never HTML ----------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { node.textContent = attrs[k]; } else if (k === 'hidden') { node.hidden = !!attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function safeHttpUrl(value, relativeTo) {
    if (!value) { return null; }
    try {
      var u = new URL(value, relativeTo || window.location.href);
      return (u.protocol === 'http:' || u.protocol === 'https:') ? u.href : null;
    } catch (e) { return null; }
  }

  // Phone numbers (UK style, 999, 116 123) and web links become links; everything else is text.
  // (No lookbehind: older Safari cannot parse it. The character before a number is matched instead.)
  var LINKS = /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])|(^|[^\w-])((?:0\d{2,4}(?:[ -]?\d{3,4}){1,2}|116 ?\d{3}|999)(?![\w-]))/g;
  function richText(text) {
    var frag = document.createDocumentFragment();
    var lines = String(text).split('\n');
    lines.forEach(function (line, i) {
      if (i > 0) { frag.appendChild(document.createElement('br')); }
      var last = 0;
      line.replace(LINKS, function (match, url, before, phone, offset) {
        if (phone) { offset += before.length; }
        if (offset > last) { frag.appendChild(document.createTextNode(line.slice(last, offset))); }
        if (url) {
          var safe = safeHttpUrl(url);
          frag.appendChild(safe ? el('a', { href: safe, target: '_blank', rel: 'noopener noreferrer', text: url })
            : document.createTextNode(url));
        } else {
          frag.appendChild(el('a', { href: 'tel:' + phone.replace(/[^\d]/g, ''), class: 'fh-tel', text: phone }));
        }
        last = offset + (url || phone).length;
        return match;
      });
      if (last < line.length) { frag.appendChild(document.createTextNode(line.slice(last))); }
    });
    return frag;
  }

  // ---------- building the widget ----------
  function addStylesheet(href) {
    if (document.querySelector('link[href="' + href + '"]')) { return; }
    document.head.appendChild(el('link', { rel: 'stylesheet', href: href }));
  }

  function build() {
    addStylesheet(new URL('../vendor/govuk/govuk-frontend.min.css', base).href);
    addStylesheet(new URL('family-help.css', base).href);
    document.body.classList.add('govuk-frontend-supported');

    var root = el('div', { class: 'fh-root' + (opts.fullscreen ? ' fh-fullscreen' : ''), 'data-council': opts.council });
    root.style.setProperty('--fh-colour', opts.colour);

    ui.launcher = el('button', { type: 'button', class: 'fh-launcher', 'aria-expanded': 'false',
      'aria-controls': 'fh-panel' }, [el('span', { class: 'fh-launcher-icon', 'aria-hidden': 'true' }),
      el('span', { text: 'Open chat' })]);

    ui.title = el('h2', { id: 'fh-title', class: 'fh-title', text: opts.title });
    ui.clear = el('button', { type: 'button', class: 'fh-clear', text: 'Clear chat' });
    ui.close = el('button', { type: 'button', class: 'fh-close', 'aria-label': 'Close chat' },
      [el('span', { 'aria-hidden': 'true', text: '\u00d7' })]);

    var exitLink = el('a', { href: opts.exitUrl, role: 'button', draggable: 'false', rel: 'nofollow noreferrer',
      class: 'govuk-button govuk-button--warning govuk-exit-this-page__button govuk-js-exit-this-page-button',
      'data-module': 'govuk-button' }, [el('span', { class: 'govuk-visually-hidden', text: 'Emergency ' }),
      document.createTextNode('Exit this page')]);
    ui.exit = el('div', { class: 'govuk-exit-this-page fh-exit', 'data-module': 'govuk-exit-this-page' }, [exitLink]);
    ui.exitLink = exitLink;
    var hint = el('p', { class: 'fh-hint' }, [
      document.createTextNode('To leave fast, press Shift 3 times. '),
      el('a', { href: opts.safetyPage, text: 'Staying safe online' })]);

    ui.log = el('div', { class: 'fh-log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation',
      tabindex: '0' });
    ui.status = el('div', { class: 'fh-status', role: 'status' });
    ui.typing = el('div', { class: 'fh-typing', hidden: true }, [
      el('span', { class: 'fh-dots', 'aria-hidden': 'true' }, [el('span'), el('span'), el('span')]),
      el('span', { text: 'The assistant is typing\u2026' })]);
    ui.error = el('div', { class: 'fh-error', role: 'alert', hidden: true });

    ui.input = el('input', { id: 'fh-input', class: 'fh-input', type: 'text', autocomplete: 'off',
      maxlength: '1000', enterkeyhint: 'send' });
    ui.send = el('button', { type: 'submit', class: 'fh-send', text: 'Send' });
    ui.form = el('form', { class: 'fh-form', novalidate: 'novalidate' }, [
      el('label', { for: 'fh-input', class: 'fh-label', text: 'Your message' }),
      el('div', { class: 'fh-row' }, [ui.input, ui.send])]);

    ui.panel = el('section', { id: 'fh-panel', class: 'fh-panel', 'aria-labelledby': 'fh-title',
      hidden: !opts.fullscreen }, [
      el('div', { class: 'fh-header' }, [ui.title, el('div', { class: 'fh-actions' },
        opts.fullscreen ? [ui.clear] : [ui.clear, ui.close])]),
      ui.exit, hint, ui.log, ui.typing, ui.error, ui.status, ui.form]);

    if (!opts.fullscreen) { root.appendChild(ui.launcher); }
    root.appendChild(ui.panel);
    var mount = opts.mount && document.querySelector(opts.mount);
    (mount || document.body).appendChild(root);
    ui.root = root;

    ui.launcher.addEventListener('click', function () { setOpen(true); });
    ui.close.addEventListener('click', function () { setOpen(false); });
    ui.clear.addEventListener('click', clearChat);
    ui.form.addEventListener('submit', function (event) { event.preventDefault(); sendTyped(); });
    ui.input.addEventListener('input', function () { state.draft = ui.input.value; save(); });
    ui.panel.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && !opts.fullscreen) { setOpen(false); }
    });

    window.addEventListener('pageshow', redrawFromStorage);
    if (narrow && narrow.addEventListener) {
      narrow.addEventListener('change', function () { coverPage(!ui.panel.hidden); });
    }
    ui.input.value = state.draft || '';
    render();
    if (opts.fullscreen || state.open) { setOpen(true, true); }
    startExitThisPage();
  }

  // GOV.UK Frontend's "Exit this page" (vendored from npm). It leaves with location.href, which
  // keeps the chat in the history; this small extension forgets the chat and replaces the
  // history entry so that Back cannot return to it.
  function startExitThisPage() {
    import(new URL('../vendor/govuk/components/exit-this-page/exit-this-page.bundle.mjs', base).href)
      .then(function (mod) {
        var Base = mod.ExitThisPage;
        class SafeExit extends Base {
          exitPage() {
            leave();
            document.body.classList.add('govuk-exit-this-page-hide-content');
            var overlay = el('div', { class: 'govuk-exit-this-page-overlay', role: 'alert', text: 'Loading.' });
            document.body.appendChild(overlay);
            window.location.replace(this.$button.href);
          }
        }
        new SafeExit(ui.exit); // eslint-disable-line no-new
      })
      .catch(function () {
        // The component could not load: the link still leaves, and we still forget the chat.
        ui.exitLink.addEventListener('click', function (event) {
          event.preventDefault(); leave(); window.location.replace(ui.exitLink.href);
        });
      });
  }

  // Leaving fast: forget the chat, stop a message in flight, and store nothing more.
  function leave() {
    exited = true;
    if (inFlight) { inFlight.abort(); }
    forgetAll();
    state = newState();
    if (ui.log) { ui.log.textContent = ''; }
  }

  // A page shown again from the browser's back-forward cache still has its old screen:
  // draw it again from storage (empty after a quick exit or "Clear chat").
  function redrawFromStorage(event) {
    if (!event.persisted || !ui.log) { return; }
    state = load();
    hideError();
    render();
    setOpen(opts.fullscreen || state.open, true);
  }

  // On a phone the open chat covers the page: keep keyboard focus out of what it covers.
  var narrow = window.matchMedia ? window.matchMedia('(max-width: 640px)') : null;
  var madeInert = [];
  function coverPage(cover) {
    madeInert.forEach(function (node) { node.inert = false; node.removeAttribute('aria-hidden'); });
    madeInert = [];
    if (!cover || opts.fullscreen || !narrow || !narrow.matches) { return; }
    Array.prototype.forEach.call(document.body.children, function (node) {
      if (node !== ui.root && !node.inert && node.tagName !== 'SCRIPT') {
        node.inert = true; node.setAttribute('aria-hidden', 'true'); madeInert.push(node);
      }
    });
  }

  function setOpen(open, initial) {
    state.open = !!open; save();
    ui.panel.hidden = !open;
    ui.launcher.hidden = !!open;
    ui.launcher.setAttribute('aria-expanded', String(!!open));
    if (ui.root) { ui.root.classList.toggle('fh-open', !!open); }
    coverPage(!!open);
    if (open) {
      if (!state.messages.length) { addMessage({ who: 'bot', text: INTRO, intro: true }); }
      loadNumbers();
      if (!initial || !opts.fullscreen) { ui.input.focus(); }
      scrollDown();
    } else if (!initial) {
      ui.launcher.focus();
    }
  }

  function clearChat() {
    forgetAll();
    state = newState();
    state.open = true;
    ui.input.value = '';
    ui.log.textContent = '';
    hideError();
    addMessage({ who: 'bot', text: INTRO, intro: true });
    ui.status.textContent = 'The chat has been cleared.';
    ui.input.focus();
  }

  // ---------- messages ----------
  function addMessage(message) {
    if (exited) { return; }
    state.messages.push(message);
    save();
    ui.log.appendChild(renderMessage(message, state.messages.length - 1));
    retireOldReplies();
    scrollDown();
  }

  function render() {
    ui.log.textContent = '';
    state.messages.forEach(function (m, i) { ui.log.appendChild(renderMessage(m, i)); });
    retireOldReplies();
  }

  // Only the newest message's quick replies can be pressed: an old "Yes" must not answer a new question.
  function retireOldReplies() {
    var last = ui.log.lastElementChild;
    Array.prototype.forEach.call(ui.log.querySelectorAll('.fh-quick-reply'), function (button) {
      button.disabled = !last || !last.contains(button);
    });
  }

  function renderMessage(m, index) {
    var who = m.who === 'me' ? 'You' : 'Assistant';
    var item = el('div', { class: 'fh-msg fh-' + (m.who === 'me' ? 'me' : 'bot') });
    item.appendChild(el('span', { class: 'govuk-visually-hidden', text: who + ': ' }));
    if (m.timeline) {
      item.classList.add('fh-timeline');
      if (m.timeline.title) { item.appendChild(el('p', { class: 'fh-timeline-title', text: m.timeline.title })); }
      var list = el('ol', { class: 'fh-steps' });
      (m.timeline.steps || []).forEach(function (s) {
        var when = [];
        if (s.within) { when.push('Within ' + s.within); }
        if (s.due) { when.push('by ' + formatDate(s.due)); }
        list.appendChild(el('li', { class: 'fh-step' }, [
          el('span', { class: 'fh-step-text', text: String(s.step || '') }),
          when.length ? el('span', { class: 'fh-step-when', text: when.join(', ') }) : null]));
      });
      item.appendChild(list);
    } else {
      item.appendChild(el('div', { class: 'fh-text' }, [richText(m.text || '')]));
    }
    if (m.buttons && m.buttons.length) {
      var group = el('div', { class: 'fh-quick', role: 'group', 'aria-label': 'Suggested replies' });
      m.buttons.forEach(function (b) {
        var button = el('button', { type: 'button', class: 'fh-quick-reply', text: String(b.title || '') });
        button.addEventListener('click', function () { send(String(b.title || ''), String(b.payload || b.title || '')); });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    return item;
  }

  function formatDate(iso) {
    var d = new Date(iso + 'T12:00:00');
    if (isNaN(d)) { return iso; }
    return d.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  }

  function scrollDown() { ui.log.scrollTop = ui.log.scrollHeight; }

  // ---------- talking to the assistant ----------
  function sendTyped() {
    var text = ui.input.value.trim();
    if (!text) {
      ui.status.textContent = 'Type a message first.';
      ui.input.focus();
      return;
    }
    send(text, text, true);
  }

  function send(shown, payload, typed) {
    if (busy || exited) { return; }
    busy = true;
    var focusWasInError = ui.error.contains(document.activeElement);
    hideError();
    if (focusWasInError) { ui.input.focus(); }
    ui.send.disabled = true;
    var pending = renderMessage({ who: 'me', text: shown }, -1);
    pending.classList.add('fh-pending');
    ui.log.appendChild(pending);
    if (typed) { ui.input.value = ''; }
    ui.typing.hidden = false;
    scrollDown();

    var controller = window.AbortController ? new AbortController() : null;
    inFlight = controller;
    var timer = controller ? setTimeout(function () { controller.abort(); }, opts.timeoutMs) : null;
    fetch(opts.server + '/webhooks/rest/webhook', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sender: state.sender, message: payload, metadata: { council: opts.council } }),
      signal: controller ? controller.signal : undefined,
      credentials: 'omit'
    }).then(function (response) {
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      return response.json();
    }).then(function (replies) {
      if (exited) { return; }
      pending.remove();
      state.draft = '';
      addMessage({ who: 'me', text: shown });
      showReplies(Array.isArray(replies) ? replies : []);
    }).catch(function () {
      if (exited) { return; }
      pending.remove();
      // Never lose what the person typed: it goes back in the box, ready to send again.
      if (typed) { ui.input.value = shown; state.draft = shown; save(); }
      showError(typed ? null : { shown: shown, payload: payload });
    }).then(function () {
      if (timer) { clearTimeout(timer); }
      inFlight = null;
      busy = false;
      ui.send.disabled = false;
      ui.typing.hidden = true;
    });
  }

  function showReplies(replies) {
    if (!replies.length) {
      addMessage({ who: 'bot', text: 'Sorry, I have no answer for that. Could you ask it another way?' });
      return;
    }
    replies.forEach(function (r) {
      var custom = r.custom;
      if (custom && custom.type === 'timeline' && Array.isArray(custom.steps)) {
        var last = state.messages[state.messages.length - 1];
        if (custom.replaces_previous_text && last && last.who === 'bot' && !last.timeline &&
            typeof last.text === 'string' && custom.title && last.text.indexOf(String(custom.title)) === 0) {
          state.messages.pop();
          ui.log.removeChild(ui.log.lastChild);
        }
        addMessage({ who: 'bot', timeline: { title: String(custom.title || ''), steps: custom.steps } });
      } else if (typeof r.text === 'string' || (r.buttons && r.buttons.length)) {
        addMessage({ who: 'bot', text: r.text || '', buttons: (r.buttons || []).map(function (b) {
          return { title: b.title, payload: b.payload };
        }) });
      }
      // Other custom payloads (such as the safety marker) have nothing to show.
    });
  }

  function showError(retryButtonPress) {
    ui.error.textContent = '';
    ui.error.appendChild(el('p', { class: 'fh-error-title',
      text: 'Sorry, the chat is not answering right now. Your message has not been sent.' }));
    var retry = el('button', { type: 'button', class: 'fh-retry', text: 'Try again' });
    retry.addEventListener('click', function () {
      if (retryButtonPress) { send(retryButtonPress.shown, retryButtonPress.payload); } else { sendTyped(); }
    });
    ui.error.appendChild(retry);
    ui.error.appendChild(el('p', { text: 'If a child is in danger now, call 999. These numbers work without the chat:' }));
    ui.error.appendChild(numbersList());
    ui.error.hidden = false;
    scrollDown();
  }

  function hideError() { ui.error.hidden = true; ui.error.textContent = ''; }

  function numbersList() {
    var list = el('ul', { class: 'fh-numbers' });
    (numbers || FALLBACK_NUMBERS).forEach(function (c) {
      var bits = [el('span', { text: c.service + ': ' })];
      if (c.phone) { bits.push(el('a', { href: 'tel:' + c.phone.replace(/[^\d]/g, ''), class: 'fh-tel', text: c.phone })); }
      else if (c.web && safeHttpUrl(c.web)) { bits.push(el('a', { href: safeHttpUrl(c.web), rel: 'noopener noreferrer', text: c.web })); }
      list.appendChild(el('li', {}, bits));
    });
    return list;
  }

  function loadNumbers() {
    if (numbers) { return; }
    fetch(new URL('../council/' + encodeURIComponent(opts.council) + '.json', base).href, { credentials: 'omit' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && Array.isArray(body.contacts)) { numbers = body.contacts; } })
      .catch(function () { /* the national numbers are the fallback */ });
  }

  window.FamilyHelpChat = { open: function () { setOpen(true); }, clear: clearChat };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', build);
  } else {
    build();
  }
})();
