/* The young carers' app shell: offline, show the numbers that work without the chat. */
(function () {
  'use strict';
  function update() {
    var offline = navigator.onLine === false;
    var numbers = document.getElementById('offline');
    var chat = document.getElementById('chat');
    if (numbers) { numbers.hidden = !offline; }
    if (chat) { chat.hidden = offline; }
  }
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  document.addEventListener('DOMContentLoaded', update);
  if ('serviceWorker' in navigator) {
    var council = (document.querySelector('script[data-council]') || {}).dataset;
    navigator.serviceWorker.register('/app-sw.js?council=' + encodeURIComponent((council && council.council) || ''), { scope: '/app' }).catch(function () { /* works without */ });
  }
})();
