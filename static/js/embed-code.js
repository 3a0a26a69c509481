// «Вбудувати» (templates/components/embed_code.html): a button that copies the embed
// code and says so in the status line (a live region). An enhancement: without this
// script the button stays hidden and the code is selectable text.
(function () {
    "use strict";
    document.querySelectorAll("[data-copy-from]").forEach(function (button) {
        var source = document.getElementById(button.getAttribute("data-copy-from"));
        var status = button.parentNode.querySelector("[data-copy-status]");
        if (!source || !status) {
            return;
        }
        function say(text) {
            status.textContent = text;
        }
        function selectCode() {
            source.focus();
            source.select();
        }
        button.hidden = false;
        button.addEventListener("click", function () {
            say("");
            var copied = navigator.clipboard && window.isSecureContext
                ? navigator.clipboard.writeText(source.value)
                : Promise.reject(new Error("no clipboard"));
            copied.then(
                function () { say(button.getAttribute("data-copied")); },
                function () {
                    // Old browsers and plain-HTTP pages: the selection and copy command.
                    selectCode();
                    var done = false;
                    try {
                        done = document.execCommand("copy");
                    } catch (error) {
                        done = false;
                    }
                    say(button.getAttribute(done ? "data-copied" : "data-failed"));
                }
            );
        });
    });
})();
