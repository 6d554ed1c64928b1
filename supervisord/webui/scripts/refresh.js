// Keeps the status page (and the tail page) current without a full reload:
// every few seconds fetch this same page again, without its one-time
// message, and swap each element marked data-refresh for its fresh copy.
// Without JavaScript the page works the same through its links and forms.
(function () {
  'use strict';
  var period = parseInt(document.body.getAttribute('data-refresh-ms'), 10) || 5000;

  function freshUrl() {
    var u = new URL(window.location.href);
    u.searchParams.delete('message');
    u.searchParams.delete('action');
    return u.toString();
  }

  function swap(doc) {
    document.querySelectorAll('[data-refresh]').forEach(function (old) {
      var fresh = old.id && doc.getElementById(old.id);
      if (fresh && fresh.outerHTML !== old.outerHTML)
        old.replaceWith(document.importNode(fresh, true));
    });
  }

  function tick() {
    // a form being used keeps its table until it is submitted
    var busy = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest('[data-refresh] form');
    if (document.hidden || busy) {
      setTimeout(tick, period);
      return;
    }
    fetch(freshUrl(), {credentials: 'same-origin', cache: 'no-store'})
      .then(function (r) {
        if (!r.ok)
          throw new Error('HTTP ' + r.status);
        return r.text();
      })
      .then(function (text) {
        swap(new DOMParser().parseFromString(text, 'text/html'));
        document.body.removeAttribute('data-stale');
      })
      .catch(function () {
        // the daemon is away or restarting: keep what is shown, say so
        document.body.setAttribute('data-stale', '');
      })
      .then(function () { setTimeout(tick, period); });
  }

  setTimeout(tick, period);
})();
