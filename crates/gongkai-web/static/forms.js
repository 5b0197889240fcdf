// Native controls in Chinese whatever the browser's language: a file field's button reads 选择文件 and the
// chosen files are named beside it. Progressive enhancement: without this script the native field works.
(function () {
  "use strict";
  var fields = document.querySelectorAll('input[type="file"]');
  Array.prototype.forEach.call(fields, function (input) {
    if (!input.id) { return; }
    var button = document.createElement("label");
    button.className = "file-button";
    button.htmlFor = input.id;
    button.textContent = input.multiple ? "选择文件（可多选）" : "选择文件";
    var names = document.createElement("span");
    names.className = "file-names";
    names.setAttribute("aria-live", "polite");
    names.textContent = "未选择文件";
    input.classList.add("file-native");
    input.parentNode.insertBefore(button, input.nextSibling);
    input.parentNode.insertBefore(names, button.nextSibling);
    input.addEventListener("change", function () {
      var chosen = Array.prototype.map.call(input.files || [], function (file) { return file.name; });
      names.textContent = chosen.length ? "已选择：" + chosen.join("、") : "未选择文件";
    });
  });
}());
