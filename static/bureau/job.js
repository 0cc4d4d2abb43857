// A background job's page: poll its status until it is done or failed, then show the download.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var finished = { done: true, failed: true };

  function show(status) {
    document.getElementById("job-state").textContent = status.state_label;
    document.getElementById("job-count").textContent = status.done + " / " + status.total;
    var bar = document.getElementById("job-bar");
    bar.className = "w" + Math.max(0, Math.min(100, status.percent | 0));
    bar.parentNode.title = status.percent + "%";
    if (status.download) {
      document.getElementById("job-download").href = status.download;
      document.getElementById("job-ready").hidden = false;
    }
    if (status.error) {
      var error = document.getElementById("job-error");
      error.textContent = status.error;
      error.hidden = false;
    }
    if (status.retry) { document.getElementById("job-retry").hidden = false; }
    document.getElementById("job-wait").hidden = Boolean(finished[status.state]);
  }

  function poll(delay) {
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (status) {
          show(status);
          if (!finished[status.state]) { poll(1500); }
        })
        .catch(function () { poll(Math.min(delay * 2, 30000)); });
    }, delay);
  }

  if (!finished[box.getAttribute("data-state")]) { poll(1000); }
})();
