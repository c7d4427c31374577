/* Submits the sign-in link's form once the page is open in a browser (a chat app's link preview does not run it,
 * so a preview never uses the single-use link up). */
(function () {
  'use strict';
  var form = document.getElementById('redeem');
  if (form && !sessionStorage.getItem('bangfu-redeemed')) {
    sessionStorage.setItem('bangfu-redeemed', '1');
    setTimeout(function () { sessionStorage.removeItem('bangfu-redeemed'); }, 5000);
    form.submit();
  }
})();
