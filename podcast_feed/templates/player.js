// podcast-feed's site: time links (#t=MM:SS) seek the episode's player (audio or video); the
// feed URL copies.
// Without JavaScript the times stay readable and the links still point at their moment.
(function () {
  "use strict";
  var player = document.querySelector("[data-player]");

  function seconds(text) {
    return text.split(":").reduce(function (total, part) {
      return total * 60 + parseFloat(part);
    }, 0);
  }

  function seek(start, play) {
    if (!player || !isFinite(start)) return;
    player.currentTime = start;
    if (play) {
      var playing = player.play();
      if (playing && playing.catch) playing.catch(function () {});
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-start]");
    if (!link || !player) return;
    event.preventDefault();
    seek(parseFloat(link.getAttribute("data-start")), true);
    history.replaceState(null, "", link.getAttribute("href"));
  });

  function fromHash() {
    var match = /^#t=([0-9:.]+)$/.exec(location.hash);
    if (match) seek(seconds(match[1]), false);
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();

  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || "Copied";
      });
    });
  });
})();
