// Small helps that need no library: confirm before deleting, and refuse a file that is too large
// beside its field, before a long upload.
function tooLargeFiles(input) {
  var maxMb = parseFloat(input.form && input.form.getAttribute("data-max-file-mb"));
  if (!maxMb) { return []; }
  return Array.prototype.filter.call(input.files || [], function (file) { return file.size > maxMb * 1024 * 1024; })
    .map(function (file) { return "ไฟล์ “" + file.name + "” ใหญ่เกิน " + maxMb + " MB กรุณาย่อขนาดไฟล์ก่อนแนบ"; });
}

function showFileErrors(input, messages) {
  var field = input.closest(".field") || input.parentNode;
  var box = field.querySelector(".error.file-size");
  if (!messages.length) {
    if (box) { box.remove(); field.classList.remove("has-error"); }
    return;
  }
  if (!box) {
    box = document.createElement("p");
    box.className = "error file-size";
    box.setAttribute("role", "alert");
    field.appendChild(box);
  }
  box.textContent = messages.join(" ");
  field.classList.add("has-error");
}

document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); return; }
  var inputs = form.querySelectorAll("input[type=file]");
  for (var i = 0; i < inputs.length; i++) {
    var messages = tooLargeFiles(inputs[i]);
    showFileErrors(inputs[i], messages);
    if (messages.length) { event.preventDefault(); inputs[i].focus(); return; }
  }
});

document.addEventListener("change", function (event) {
  var input = event.target;
  if (input.type === "file") { showFileErrors(input, tooLargeFiles(input)); }
});

// On a narrow screen the menu folds behind its button.
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("main-menu");
  if (!toggle || !menu) { return; }
  toggle.hidden = false;
  menu.classList.add("folded");
  toggle.addEventListener("click", function () {
    var open = menu.classList.toggle("folded") === false;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
});

// The native file input speaks the browser's language (often English): list chosen files in Thai.
document.addEventListener("change", function (event) {
  var input = event.target;
  var listId = input.getAttribute && input.getAttribute("data-file-list");
  if (!listId) { return; }
  var names = Array.prototype.map.call(input.files, function (file) { return file.name; });
  document.getElementById(listId).textContent = names.length ? "เลือกแล้ว: " + names.join(", ") : "ยังไม่ได้เลือกไฟล์";
});

// A select marked data-autosubmit (the fiscal-year picker) shows its choice at once; without script,
// the form's own button (in <noscript>) does it.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (select.hasAttribute && select.hasAttribute("data-autosubmit")) { select.form.submit(); }
});
