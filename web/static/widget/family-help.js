/*
 * Family help chat widget. Include it on any page with one tag:
 *
 *   <script src="https://HOST/widget/static/family-help.js" defer
 *           data-server="https://RASA-HOST" data-council="coventry"
 *           data-title="Family help chat" data-colour="#1d70b8"
 *           data-exit-url="https://www.bbc.co.uk/weather"></script>
 *
 * Optional: data-mode="fullscreen" with data-mount="#selector" (the /app page),
 * data-safety-page (the "Staying safe online" page), data-max-length (longest message, 2000),
 * data-audience ("young_person" on the /app), data-topics (up to 4 topic ids the page is about, offered
 * first when the chat opens), data-slow-after (ms before the numbers show while an answer is awaited).
 *
 * Rules this file keeps:
 * - every piece of text from the person or the assistant goes in with textContent, never as HTML;
 * - only the public REST channel is used (no API token): POST /webhooks/rest/webhook for messages,
 *   POST /webhooks/rest/delete {"sender": id} (text/plain, so no CORS preflight) to delete a chat;
 * - the conversation lives in sessionStorage (this tab only). "Delete this chat" deletes it on the
 *   service and then here; "Exit this page" asks the service to delete it (a beacon: the exit never
 *   waits) and forgets it here;
 * - what the person typed is never lost when the server does not answer, answers nothing, is
 *   busy (429) or refuses the message (400); each of those shows the numbers that work without the
 *   chat, except a refused message, which shows the server's reason.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || window.FamilyHelpChat) { return; }
  var data = script.dataset;
  var base = new URL('.', script.src);
  var opts = {
    server: (data.server || '').replace(/\/+$/, ''),
    council: data.council || 'default',  // 'default': the service's default council (knowledge/)
    title: data.title || 'Family help chat',
    colour: /^#[0-9a-fA-F]{6}$/.test(data.colour || '') ? data.colour : '#1d70b8',
    exitUrl: safeHttpUrl(data.exitUrl) || 'https://www.bbc.co.uk/weather',
    fullscreen: data.mode === 'fullscreen',
    mount: data.mount || null,
    safetyPage: safeHttpUrl(data.safetyPage, base) || new URL('../../staying-safe', base).href,
    timeoutMs: Math.max(1000, parseInt(data.timeout, 10) || 30000),
    // No answer after this long: the numbers box shows while the request goes on.
    slowMs: Math.max(500, parseInt(data.slowAfter, 10) || 8000),
    maxLength: Math.max(1, parseInt(data.maxLength, 10) || 2000),
    // Who the page is for: the /app says 'young_person', so a safety reply leads with Childline.
    audience: /^[a-z_]{1,30}$/.test(data.audience || '') ? data.audience : null,
    // What the page is about: topics to offer first when the chat opens ("early_help_what,family_hubs").
    topics: /^[a-z_]{1,60}(,[a-z_]{1,60}){0,3}$/.test(data.topics || '') ? data.topics : null
  };
  var DELETE_PATH = '/webhooks/rest/delete';
  function pageMetadata() {
    var meta = {};
    if (opts.council !== 'default') { meta.council = opts.council; }
    if (opts.audience) { meta.audience = opts.audience; }
    return meta;
  }
  // The open chat fills the screen when it is narrow or short (family-help.css: fh-compact).
  var NARROW_PX = 640, SHORT_PX = 560, TINY_PX = 300;
  var NEAR_LIMIT = Math.floor(opts.maxLength * 0.8); // from here on the box says how many characters are left
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
  var deleting = false;
  var exited = false; // after "Exit this page": nothing is drawn or stored again
  var inFlight = null; // the AbortController of the message being sent
  var queued = null; // { text, node }: written while an answer was loading, sent after it
  var starters = []; // the questions offered when the chat opens (from the service)
  var nearLimit = false;
  var touch = !!(window.matchMedia && window.matchMedia('(pointer: coarse)').matches); // a phone or tablet

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

  // A titled link ("[Coventry's guide](https://...)": the source of an answer), phone numbers (UK
  // style, 999, 116 123) and web links become links; everything else is text.
  // (No lookbehind: older Safari cannot parse it. The character before a number is matched instead.)
  var LINKS = /\[([^\]\n]{1,160})\]\((https?:\/\/[^\s<>"')]+)\)|(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])|(^|[^\w-])((?:0\d{2,4}(?:[ -]?\d{3,4}){1,2}|116 ?\d{3}|999)(?![\w-]))/g;
  function richText(text) {
    var frag = document.createDocumentFragment();
    var lines = String(text).split('\n');
    lines.forEach(function (line, i) {
      if (i > 0) { frag.appendChild(document.createElement('br')); }
      var last = 0;
      line.replace(LINKS, function (match, title, titledUrl, url, before, phone, offset) {
        if (phone) { offset += before.length; }
        if (offset > last) { frag.appendChild(document.createTextNode(line.slice(last, offset))); }
        if (title) {
          var href = safeHttpUrl(titledUrl);
          frag.appendChild(href ? el('a', { href: href, target: '_blank', rel: 'noopener noreferrer', text: title })
            : document.createTextNode(title));
          last = offset + match.length;
          return match;
        }
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
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) { if (links[i].href === href) { return; } } // the page has it
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
    // "Delete this chat"; on a small screen only "Delete" shows (the rest stays in its name).
    ui.del = el('button', { type: 'button', class: 'fh-delete' }, [document.createTextNode('Delete'),
      el('span', { class: 'fh-more', text: ' this chat' })]);
    ui.close = el('button', { type: 'button', class: 'fh-close', 'aria-label': 'Close chat' },
      [el('span', { 'aria-hidden': 'true', text: '\u00d7' })]);

    var exitLink = el('a', { href: opts.exitUrl, role: 'button', draggable: 'false', rel: 'nofollow noreferrer',
      class: 'govuk-button govuk-button--warning govuk-exit-this-page__button govuk-js-exit-this-page-button',
      'data-module': 'govuk-button' }, [el('span', { class: 'govuk-visually-hidden', text: 'Emergency ' }),
      document.createTextNode('Exit this page')]);
    ui.exit = el('div', { class: 'govuk-exit-this-page fh-exit', 'data-module': 'govuk-exit-this-page' }, [exitLink]);
    ui.exitLink = exitLink;
    // Phones have no Shift key: they are told to tap the button.
    var hint = el('p', { class: 'fh-hint' }, [
      document.createTextNode(touch ? 'To leave fast, tap \u201cExit this page\u201d. '
        : 'To leave fast, press Shift 3 times or use \u201cExit this page\u201d. '),
      el('a', { href: opts.safetyPage, text: 'Staying safe online' })]);

    ui.log = el('div', { class: 'fh-log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation',
      tabindex: '0' });
    ui.status = el('div', { class: 'fh-status', role: 'status' });
    ui.typing = el('div', { class: 'fh-typing', hidden: true }, [
      el('span', { class: 'fh-dots', 'aria-hidden': 'true' }, [el('span'), el('span'), el('span')]),
      el('span', { text: 'The assistant is typing\u2026' })]);
    ui.error = el('div', { class: 'fh-error', role: 'alert', hidden: true });
    // What the service said about the last message or the last "Delete this chat": visible text.
    ui.notice = el('div', { id: 'fh-notice', class: 'fh-notice', role: 'status', hidden: true });

    // A box that grows with what is written (up to a few lines), so a longer message can be read back.
    ui.input = el('textarea', { id: 'fh-input', class: 'fh-input', rows: '1', autocomplete: 'off',
      maxlength: String(opts.maxLength), enterkeyhint: 'send', placeholder: 'Type your message',
      'aria-describedby': 'fh-prompt fh-count fh-notice' });
    ui.prompt = el('p', { id: 'fh-prompt', class: 'fh-prompt', hidden: true });
    ui.count = el('p', { id: 'fh-count', class: 'fh-count', hidden: true });
    ui.send = el('button', { type: 'submit', class: 'fh-send', text: 'Send' });
    ui.form = el('form', { class: 'fh-form', novalidate: 'novalidate' }, [
      el('label', { for: 'fh-input', class: 'fh-label', text: 'Your message' }),
      el('div', { class: 'fh-row' }, [ui.input, ui.send]), ui.prompt, ui.count]);

    // The top bar (title, Delete, Close and Exit this page) stays in view; everything below it
    // scrolls as one, so the numbers box is never inside a scroll box of its own.
    ui.top = el('div', { class: 'fh-top' }, [
      el('div', { class: 'fh-header' }, [ui.title, el('div', { class: 'fh-actions' },
        opts.fullscreen ? [ui.del] : [ui.del, ui.close])]), ui.exit]);
    ui.panel = el('section', { id: 'fh-panel', class: 'fh-panel', 'aria-labelledby': 'fh-title',
      hidden: !opts.fullscreen }, [ui.top, hint, ui.log, ui.typing, ui.error, ui.notice, ui.status, ui.form]);

    if (!opts.fullscreen) { root.appendChild(ui.launcher); }
    root.appendChild(ui.panel);
    var mount = opts.mount && document.querySelector(opts.mount);
    (mount || document.body).appendChild(root);
    ui.root = root;

    ui.launcher.addEventListener('click', function () { setOpen(true); });
    ui.close.addEventListener('click', function () { setOpen(false); });
    ui.del.addEventListener('click', deleteChat);
    ui.form.addEventListener('submit', function (event) { event.preventDefault(); sendTyped(); });
    ui.input.addEventListener('input', function () {
      state.draft = ui.input.value; save(); updateCount(); hidePrompt(); fitInput();
    });
    // Enter sends (as the one-line box did); Shift+Enter starts a new line.
    ui.input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); sendTyped(); }
    });
    ui.panel.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && !opts.fullscreen) { setOpen(false); }
    });

    window.addEventListener('pageshow', redrawFromStorage);
    measureScreen();
    window.addEventListener('resize', measureScreen);
    if (window.visualViewport) {
      window.visualViewport.addEventListener('resize', measureScreen);
      window.visualViewport.addEventListener('scroll', measureScreen);
    }
    ui.input.value = state.draft || '';
    updateCount();
    render();
    loadNumbers(); // now, so that they are there if the very first message fails
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
        // The chat's own button first (it then also hears Shift pressed 3 times), then any the page
        // has for itself (so that one forgets the chat too, even while the chat is closed).
        exitRoots().forEach(function (root) { new SafeExit(root); }); // eslint-disable-line no-new
      })
      .catch(function () {
        // The component could not load: the link still leaves, and we still forget the chat.
        exitRoots().forEach(function (root) {
          var link = root.querySelector('a');
          if (!link) { return; }
          link.addEventListener('click', function (event) {
            event.preventDefault(); leave(); window.location.replace(link.href);
          });
        });
      });
  }

  function exitRoots() {
    var page = Array.prototype.filter.call(document.querySelectorAll('[data-module="govuk-exit-this-page"]'),
      function (root) { return root !== ui.exit && !root.hasAttribute('data-govuk-exit-this-page-init'); });
    return [ui.exit].concat(page);
  }

  // Leaving fast: ask the service to delete the chat (a beacon: sent even as the page goes, never
  // waited for), forget the chat here, stop a message in flight, and store nothing more.
  function leave() {
    if (!exited) { beaconDelete(state.sender); }
    exited = true;
    if (inFlight) { inFlight.abort(); }
    forgetAll();
    state = newState();
    if (ui.log) { ui.log.textContent = ''; }
  }

  // A page shown again from the browser's back-forward cache still has its old screen:
  // draw it again from storage (empty after a quick exit or "Delete this chat").
  function redrawFromStorage(event) {
    if (!event.persisted || !ui.log) { return; }
    state = load();
    hideError();
    hideNotice();
    ui.input.value = state.draft || '';
    updateCount();
    render();
    setOpen(opts.fullscreen || state.open, true);
  }

  // How much can be seen: the visual viewport (smaller than the window while a phone's keyboard is
  // open), unless the person has pinch-zoomed. Narrow or short: the chat fills what can be seen.
  var compact = null;
  function measureScreen() {
    var vv = window.visualViewport;
    var whole = !vv || Math.abs(vv.scale - 1) < 0.01;
    var height = whole && vv ? vv.height : window.innerHeight;
    var now = window.innerWidth <= NARROW_PX || height <= SHORT_PX;
    ui.root.classList.toggle('fh-compact', now);
    ui.root.classList.toggle('fh-short', height <= SHORT_PX);
    ui.root.classList.toggle('fh-tiny', height <= TINY_PX);
    if (whole && vv) {
      ui.root.style.setProperty('--fh-vh', Math.round(vv.height) + 'px');
      ui.root.style.setProperty('--fh-vtop', Math.round(vv.offsetTop) + 'px');
    } else {
      ui.root.style.removeProperty('--fh-vh');
      ui.root.style.removeProperty('--fh-vtop');
    }
    if (now !== compact) { compact = now; coverPage(!ui.panel.hidden); }
  }

  // On a phone the open chat covers the page: keep keyboard focus out of what it covers.
  var madeInert = [];
  function coverPage(cover) {
    madeInert.forEach(function (node) { node.inert = false; node.removeAttribute('aria-hidden'); });
    madeInert = [];
    if (!cover || opts.fullscreen || !compact) { return; }
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
      if (onlyIntro()) { ui.panel.scrollTop = 0; } else { scrollDown(); } // a new chat from its first line
    } else if (!initial) {
      ui.launcher.focus();
    }
  }

  // ---------- deleting the chat: on the service first, then in this browser ----------
  function deleteUrl() { return opts.server + DELETE_PATH; }

  function beaconDelete(sender) {
    try {
      if (opts.server && navigator.sendBeacon) {
        // A string body is sent as text/plain: a "simple" request, no CORS preflight.
        navigator.sendBeacon(deleteUrl(), JSON.stringify({ sender: sender }));
      }
    } catch (e) { /* leaving matters more */ }
  }

  function deleteChat() {
    if (deleting || exited) { return; }
    deleting = true;
    ui.del.disabled = true;
    var sender = state.sender;
    showNotice('Deleting this chat\u2026');
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, opts.timeoutMs) : null;
    fetch(deleteUrl(), {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ sender: sender }),
      signal: controller ? controller.signal : undefined,
      credentials: 'omit'
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (!body || body.deleted !== true) { throw new Error('not deleted'); }
      if (exited) { return; }
      clearLocal();
      showNotice('This chat has been deleted from the service and from this browser.');
    }).catch(function () {
      if (exited) { return; }
      showDeleteFailed();
    }).then(function () {
      if (timer) { clearTimeout(timer); }
      deleting = false;
      ui.del.disabled = false;
    });
  }

  function showDeleteFailed() {
    showNotice('Sorry, we could not delete this chat from the service. It is still in this browser too.');
    var again = el('button', { type: 'button', class: 'fh-notice-button', text: 'Try again' });
    again.addEventListener('click', deleteChat);
    var here = el('button', { type: 'button', class: 'fh-notice-button', text: 'Clear it from this browser only' });
    here.addEventListener('click', function () {
      clearLocal();
      showNotice('The chat has been cleared from this browser only. The service keeps it until it is ' +
        'deleted by itself.');
    });
    ui.notice.appendChild(el('div', { class: 'fh-notice-actions' }, [again, here]));
    reveal(ui.notice);
    again.focus();
  }

  // Forget the chat in this browser and start a new one (with a new id).
  function clearLocal() {
    if (inFlight) { inFlight.cancelled = true; inFlight.abort(); }
    if (queued) { queued.node.remove(); queued = null; }
    forgetAll();
    state = newState();
    state.open = true;
    ui.input.value = '';
    ui.log.textContent = '';
    hideError();
    updateCount();
    addMessage({ who: 'bot', text: INTRO, intro: true });
    ui.input.focus();
  }

  function showNotice(text) {
    ui.notice.textContent = '';
    ui.notice.appendChild(el('p', { text: text }));
    ui.notice.hidden = false;
    reveal(ui.notice);
  }

  function hideNotice() { ui.notice.hidden = true; ui.notice.textContent = ''; }

  // Near the limit the box says how many characters are left; at the limit, what to do.
  function updateCount() {
    var length = ui.input.value.length;
    var near = length >= NEAR_LIMIT;
    var left = Math.max(0, opts.maxLength - length);
    ui.count.hidden = !near;
    ui.count.classList.toggle('fh-count-full', left === 0);
    if (near) {
      ui.count.textContent = left > 0 ? 'You have ' + left.toLocaleString('en-GB') + ' characters left.'
        : 'You have used all ' + opts.maxLength.toLocaleString('en-GB') + ' characters. Send this, then ' +
          'write the rest in a new message.';
    }
    if (near && !nearLimit) { ui.status.textContent = 'A message can be up to ' + opts.maxLength.toLocaleString('en-GB') + ' characters.'; }
    nearLimit = near;
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
    Array.prototype.forEach.call(ui.log.querySelectorAll('.fh-starters'), function (group) {
      if (!last || !last.contains(group)) { group.remove(); } // the opening questions go once the chat begins
    });
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
      var sent = m.who === 'bot' && REFERENCE.exec(m.text || '');
      if (sent) { item.appendChild(confirmationPanel(sent[1])); }
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
    if (m.intro && starters.length && onlyIntro()) {
      var offer = el('div', { class: 'fh-quick fh-starters', role: 'group', 'aria-label': 'Questions you can ask' });
      starters.forEach(function (b) {
        var button = el('button', { type: 'button', class: 'fh-quick-reply', text: b.title });
        button.addEventListener('click', function () { send(b.title, b.payload); });
        offer.appendChild(button);
      });
      item.appendChild(offer);
    }
    return item;
  }

  // A request to a Children's Rights Officer has been sent: its reference in a confirmation panel
  // (as GOV.UK shows one), with a way to copy it and a word on keeping it safe.
  var REFERENCE = /Your reference is (CRO-[2-9A-HJ-NP-Z]{6})\b/;
  function confirmationPanel(reference) {
    var done = el('span', { class: 'fh-copy-done', role: 'status' });
    var copy = el('button', { type: 'button', class: 'fh-copy', text: 'Copy reference' });
    copy.addEventListener('click', function () {
      copyText(reference).then(function () {
        done.textContent = 'Copied.';
      }, function () {
        done.textContent = 'Could not copy it. Write it down instead.';
      });
    });
    return el('div', { class: 'fh-confirm', role: 'group', 'aria-label': 'Your request was sent' }, [
      el('p', { class: 'fh-confirm-title', text: 'Request sent' }),
      el('p', { class: 'fh-confirm-label', text: 'Your reference is' }),
      el('p', { class: 'fh-confirm-ref', text: reference }),
      el('div', { class: 'fh-confirm-actions' }, [copy, done]),
      el('p', { class: 'fh-confirm-safe', text: 'Keep it somewhere safe that only you can see. It goes from ' +
        'here when you delete this chat or leave this page.' })]);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    return new Promise(function (resolve, reject) { // older browsers, or a page not on https
      var area = el('textarea', { class: 'fh-copy-area', readonly: 'readonly', 'aria-hidden': 'true' });
      area.value = text;
      ui.root.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      area.remove();
      if (ok) { resolve(); } else { reject(new Error('not copied')); }
    });
  }

  function formatDate(iso) {
    var d = new Date(iso + 'T12:00:00');
    if (isNaN(d)) { return iso; }
    return d.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  }

  // The panel scrolls as one (the top bar stays, and on most screens the message box too).
  function scrollDown() { ui.panel.scrollTop = ui.panel.scrollHeight; }

  // The part of the panel where the conversation can be read: below the top bar, above the
  // message box when that stays in view.
  function readingArea() {
    var panel = ui.panel.getBoundingClientRect();
    var top = ui.top.getBoundingClientRect().bottom;
    var bottom = Math.min(panel.bottom, window.innerHeight);
    if (window.getComputedStyle(ui.form).position === 'sticky') {
      bottom = Math.min(bottom, ui.form.getBoundingClientRect().top);
    }
    return { top: top, bottom: bottom };
  }

  // Bring a box (the numbers, a notice) fully into view: with the message box under it when both
  // fit, else from its first line.
  function reveal(node) {
    if (!node || node.hidden || !node.isConnected) { return; }
    scrollDown();
    var area = readingArea();
    var box = node.getBoundingClientRect();
    if (box.top < area.top) { ui.panel.scrollTop -= area.top - box.top + 4; }
  }

  // ---------- talking to the assistant ----------
  function sendTyped() {
    var text = ui.input.value.trim();
    if (!text) {
      showPrompt('Type a message first, then press Send.');
      ui.input.focus();
      return;
    }
    if (text.length > opts.maxLength) { // a draft kept from before can be longer than the box allows
      showNotice('Your message is too long. A message can be up to ' + opts.maxLength.toLocaleString('en-GB') +
        ' characters. Send it in parts.');
      ui.input.focus();
      return;
    }
    if (busy) { queueTyped(text); return; }
    send(text, text, true);
  }

  // Written while an answer is loading: shown as waiting, and sent as soon as the answer is in.
  function queueTyped(text) {
    if (queued) {
      queued.text += '\n' + text;
      queued.node.replaceWith(queued.node = waitingBubble(queued.text));
    } else {
      queued = { text: text, node: waitingBubble(text) };
      ui.log.appendChild(queued.node);
    }
    ui.input.value = ''; state.draft = ''; save(); updateCount(); fitInput();
    ui.status.textContent = 'Your message will be sent when the answer has arrived.';
    scrollDown();
  }

  function waitingBubble(text) {
    var node = renderMessage({ who: 'me', text: text }, -1);
    node.classList.add('fh-pending', 'fh-queued');
    node.appendChild(el('span', { class: 'fh-queued-note', text: 'Waiting to send' }));
    return node;
  }

  // After an answer: send what was written meanwhile. After a failure: put it back in the box.
  function takeQueued(failed) {
    var next = queued;
    queued = null;
    if (!next) { return; }
    next.node.remove();
    if (!failed) { send(next.text, next.text, true); return; }
    var kept = ui.input.value ? ui.input.value + '\n' + next.text : next.text;
    ui.input.value = kept.slice(0, opts.maxLength); state.draft = ui.input.value; save(); updateCount(); fitInput();
  }

  function showPrompt(text) {
    ui.prompt.textContent = text;
    ui.prompt.hidden = false;
    ui.input.setAttribute('aria-invalid', 'true');
    ui.status.textContent = text;
  }

  function hidePrompt() {
    if (ui.prompt.hidden) { return; }
    ui.prompt.hidden = true;
    ui.input.removeAttribute('aria-invalid');
  }

  // The box grows with what is written, up to its CSS max-height, then scrolls.
  function fitInput() {
    ui.input.style.height = 'auto';
    ui.input.style.height = ui.input.scrollHeight + 2 + 'px';
  }

  function parseJson(text) {
    try { return JSON.parse(text); } catch (e) { return undefined; }
  }

  // Something the person can see: text, buttons or a list of steps (not only a hidden marker).
  function visible(replies) {
    return Array.isArray(replies) && replies.some(function (r) {
      var c = r && r.custom;
      return r && ((typeof r.text === 'string' && r.text.trim()) || (r.buttons && r.buttons.length) ||
        (c && c.type === 'timeline' && Array.isArray(c.steps)));
    });
  }

  function send(shown, payload, typed) {
    if (busy || exited || deleting) { return; }
    busy = true;
    var focusWasInError = ui.error.contains(document.activeElement);
    hideError();
    hideNotice();
    hidePrompt();
    if (focusWasInError) { ui.input.focus(); }
    Array.prototype.forEach.call(ui.log.querySelectorAll('.fh-starters'), function (g) { g.remove(); });
    var pending = renderMessage({ who: 'me', text: shown }, -1);
    pending.classList.add('fh-pending');
    ui.log.appendChild(pending);
    if (typed) { ui.input.value = ''; updateCount(); fitInput(); }
    ui.typing.hidden = false;
    scrollDown();

    // Never lose what the person typed: it goes back in the box, ready to send again.
    function giveBack() {
      pending.remove();
      if (onlyIntro()) { render(); } // the opening questions again
      if (typed) { ui.input.value = shown; state.draft = shown; save(); updateCount(); fitInput(); }
    }
    var retry = typed ? null : { shown: shown, payload: payload };

    var controller = window.AbortController ? new AbortController() : null;
    inFlight = controller;
    var timer = controller ? setTimeout(function () { controller.abort(); }, opts.timeoutMs) : null;
    // No answer yet after a few seconds: show the numbers now, and keep waiting for the answer.
    var slow = setTimeout(function () {
      if (!exited && inFlight === controller) { showError('slow'); }
    }, opts.slowMs);
    var failed = false;
    fetch(opts.server + '/webhooks/rest/webhook', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sender: state.sender, message: payload, metadata: pageMetadata() }),
      signal: controller ? controller.signal : undefined,
      credentials: 'omit'
    }).then(function (response) {
      return response.text().then(function (text) { return { status: response.status, body: parseJson(text) }; });
    }).then(function (answer) {
      clearTimeout(slow);
      if (exited || (controller && controller.cancelled)) { return; }
      if (ui.error.dataset.kind === 'slow') { hideError(); }
      var body = answer.body;
      if (answer.status === 400 && body && typeof body.error === 'string' && body.error.trim()) {
        // The service refused the message and says why (too long, for example): show its words.
        giveBack();
        failed = true;
        showNotice(body.error);
        ui.input.focus();
        return;
      }
      if (answer.status === 429) {
        // Too many messages: the service still answers with the numbers and a "wait a minute" line.
        giveBack();
        failed = true;
        if (visible(body)) { showReplies(body); }
        showError('busy', retry);
        return;
      }
      if (answer.status < 200 || answer.status > 299) { throw new Error('HTTP ' + answer.status); }
      var deleted = Array.isArray(body) && body.some(function (r) {
        return r && r.custom && r.custom.type === 'conversation_deleted';
      });
      if (!visible(body) && !deleted) {
        giveBack(); // an empty answer is a failure: the numbers, the message kept, Try again
        failed = true;
        showError('empty', retry);
        return;
      }
      pending.remove();
      state.draft = '';
      addMessage({ who: 'me', text: shown });
      var first = state.messages.length;
      showReplies(body);
      if (deleted) { forgetAfterDeleted(state.messages.slice(first)); }
    }).catch(function () {
      clearTimeout(slow);
      if (exited || (controller && controller.cancelled)) { return; }
      giveBack();
      failed = true;
      showError('down', retry);
    }).then(function () {
      if (timer) { clearTimeout(timer); }
      if (inFlight === controller) { inFlight = null; }
      busy = false;
      ui.typing.hidden = true;
      if (!exited) { takeQueued(failed); }
    });
  }

  // "Delete my chat" in the conversation: the service has deleted it; after showing its reply,
  // forget the chat here too and start a new one that holds only that reply.
  function forgetAfterDeleted(replies) {
    forgetAll();
    state = newState();
    state.open = true;
    state.messages = [{ who: 'bot', text: INTRO, intro: true }].concat(replies.filter(function (m) {
      return m.who === 'bot';
    }));
    save();
    render();
    scrollDown();
    ui.status.textContent = 'The chat has been deleted from this browser too.';
  }

  // A new reply is shown from its start: a long answer is read from its first line, not its last.
  function showFromStart(node) {
    if (!node || !node.isConnected) { return; }
    var offset = node.getBoundingClientRect().top - readingArea().top;
    ui.panel.scrollTop = Math.max(0, ui.panel.scrollTop + offset - 8);
  }

  function showReplies(replies) {
    var first = null;
    function added() { if (!first || !first.isConnected) { first = ui.log.lastElementChild; } }
    replies.forEach(function (r) {
      if (!r) { return; }
      var custom = r.custom;
      if (custom && custom.type === 'timeline' && Array.isArray(custom.steps)) {
        var last = state.messages[state.messages.length - 1];
        if (custom.replaces_previous_text && last && last.who === 'bot' && !last.timeline &&
            typeof last.text === 'string' && custom.title && last.text.indexOf(String(custom.title)) === 0) {
          state.messages.pop();
          ui.log.removeChild(ui.log.lastChild);
        }
        addMessage({ who: 'bot', timeline: { title: String(custom.title || ''), steps: custom.steps } });
        added();
      } else if (typeof r.text === 'string' || (r.buttons && r.buttons.length)) {
        addMessage({ who: 'bot', text: r.text || '', buttons: (r.buttons || []).map(function (b) {
          return { title: b.title, payload: b.payload };
        }) });
        added();
      }
      // Other custom payloads (such as the safety marker) have nothing to show.
    });
    showFromStart(first);
  }

  var ERROR_TITLES = {
    down: 'Sorry, the chat is not answering. Your message has not been sent.',
    empty: 'Sorry, the chat did not answer. Your message is still in the box.',
    busy: 'Your message has not been sent yet. Wait a minute, then try again.',
    slow: 'The chat is slow to answer. It is still trying.'
  };

  // The numbers box: the numbers first, each a big tap-to-call button, then "Try again". It is
  // part of the panel's one scroll (never a scroll box of its own) and is brought fully into view.
  function showError(kind, retryButtonPress) {
    ui.error.textContent = '';
    ui.error.dataset.kind = kind;
    ui.error.appendChild(el('p', { class: 'fh-error-title', text: ERROR_TITLES[kind] || ERROR_TITLES.down }));
    ui.error.appendChild(el('p', { class: 'fh-error-lead', text: 'If a child is in danger now, call 999. These numbers work without the chat:' }));
    ui.error.appendChild(numbersList());
    if (kind !== 'slow') {
      var retry = el('button', { type: 'button', class: 'fh-retry', text: 'Try again' });
      retry.addEventListener('click', function () {
        if (retryButtonPress) { send(retryButtonPress.shown, retryButtonPress.payload); } else { sendTyped(); }
      });
      ui.error.appendChild(retry);
    }
    ui.error.hidden = false;
    if (kind !== 'slow') { ui.typing.hidden = true; } // before measuring: it sits above the box
    ui.panel.classList.add('fh-failed');
    // On a phone, close the keyboard: the numbers need the room more than the box does.
    if (touch && document.activeElement === ui.input) { ui.input.blur(); }
    reveal(ui.error);
  }

  function hideError() {
    ui.error.hidden = true; ui.error.textContent = ''; delete ui.error.dataset.kind;
    ui.panel.classList.remove('fh-failed');
  }

  function numbersList() {
    var list = el('ul', { class: 'fh-numbers' });
    (numbers || FALLBACK_NUMBERS).forEach(function (c) {
      var bits = [el('span', { class: 'fh-number-name', text: c.service })];
      if (c.phone) { bits.push(el('a', { href: 'tel:' + c.phone.replace(/[^\d]/g, ''), class: 'fh-call', text: c.phone })); }
      else if (c.web && safeHttpUrl(c.web)) { bits.push(el('a', { href: safeHttpUrl(c.web), class: 'fh-call fh-call-web', rel: 'noopener noreferrer', text: c.web })); }
      list.appendChild(el('li', { class: 'fh-number' }, bits));
    });
    return list;
  }

  // The council's numbers (for the numbers box) and the questions to offer when the chat opens,
  // for this council and this page (data-audience, data-topics): the service offers only ones
  // the council's documents answer.
  function loadNumbers() {
    if (numbers) { return; }
    var url = new URL('../council/' + encodeURIComponent(opts.council) + '.json', base);
    if (opts.audience) { url.searchParams.set('audience', opts.audience); }
    if (opts.topics) { url.searchParams.set('topics', opts.topics); }
    fetch(url.href, { credentials: 'omit' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && Array.isArray(body.contacts)) { numbers = body.contacts; }
        if (body && Array.isArray(body.starters) && !exited) {
          starters = body.starters.filter(function (b) {
            return b && typeof b.title === 'string' && /^\/[a-z_]{1,60}$/.test(b.payload || '');
          });
          if (onlyIntro()) { render(); }
        }
      })
      .catch(function () { /* the national numbers are the fallback */ });
  }

  function onlyIntro() { return state.messages.length === 1 && !!state.messages[0].intro; }

  window.FamilyHelpChat = { open: function () { setOpen(true); }, deleteChat: deleteChat };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', build);
  } else {
    build();
  }
})();
