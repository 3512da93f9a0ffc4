// Small helps that need no library: confirm before deleting, and check file sizes before a long upload.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); return; }
  var maxMb = parseFloat(form.getAttribute("data-max-file-mb"));
  if (!maxMb) { return; }
  var inputs = form.querySelectorAll("input[type=file]");
  for (var i = 0; i < inputs.length; i++) {
    for (var j = 0; j < inputs[i].files.length; j++) {
      var file = inputs[i].files[j];
      if (file.size > maxMb * 1024 * 1024) {
        event.preventDefault();
        window.alert("ไฟล์ “" + file.name + "” ใหญ่เกิน " + maxMb + " MB กรุณาย่อขนาดไฟล์ก่อนแนบ");
        return;
      }
    }
  }
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
