/* Submits the sign-in link's form once the page is open in a browser. A chat app's link preview runs no script,
 * so a preview never uses the single-use link up; the answer is the workbench or the sign-in page (no loop). */
(function () {
  'use strict';
  var form = document.getElementById('redeem');
  if (form) form.submit();
})();
