/*
 * "Exit this page" on a page of the service that has no chat widget (Staying safe online).
 * Starts the GOV.UK component (the button, and Shift pressed 3 times) so that, as in the widget,
 * leaving forgets the chat kept in this tab, asks the chat service to delete it (a beacon: never
 * waited for) and replaces the page, so Back does not return to it.
 *
 *   <script src="/widget/static/exit-page.js" defer data-server="https://RASA-HOST"></script>
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.FamilyHelpChat) { return; } // the widget starts it where it is on the page
  var base = new URL('.', script.src);
  var server = (script.dataset.server || '').replace(/\/+$/, '');
  var PREFIX = 'familyHelp.';

  function forgetChat() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(PREFIX + 'chat') || 'null');
      if (saved && typeof saved.sender === 'string' && /^https?:\/\//.test(server) && navigator.sendBeacon) {
        navigator.sendBeacon(server + '/webhooks/rest/delete', JSON.stringify({ sender: saved.sender }));
      }
    } catch (e) { /* leaving matters more */ }
    try {
      for (var i = sessionStorage.length - 1; i >= 0; i--) {
        var key = sessionStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) { sessionStorage.removeItem(key); }
      }
    } catch (e) { /* nothing stored */ }
  }

  function start() {
    var roots = document.querySelectorAll('[data-module="govuk-exit-this-page"]');
    if (!roots.length) { return; }
    document.body.classList.add('govuk-frontend-supported');
    import(new URL('../vendor/govuk/components/exit-this-page/exit-this-page.bundle.mjs', base).href)
      .then(function (mod) {
        class SafeExit extends mod.ExitThisPage {
          exitPage() {
            forgetChat();
            document.body.classList.add('govuk-exit-this-page-hide-content');
            var overlay = document.createElement('div');
            overlay.className = 'govuk-exit-this-page-overlay';
            overlay.setAttribute('role', 'alert');
            overlay.textContent = 'Loading.';
            document.body.appendChild(overlay);
            window.location.replace(this.$button.href);
          }
        }
        Array.prototype.forEach.call(roots, function (root) { new SafeExit(root); }); // eslint-disable-line no-new
      })
      .catch(function () {
        // The component could not load: the button still leaves, and still forgets the chat.
        Array.prototype.forEach.call(roots, function (root) {
          var link = root.querySelector('a');
          if (link) {
            link.addEventListener('click', function (event) {
              event.preventDefault(); forgetChat(); window.location.replace(link.href);
            });
          }
        });
      });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
