// Submits the response form to the relying party as soon as the page loads. Served as a file
// so that the Content-Security-Policy needs no inline script.
document.addEventListener('DOMContentLoaded', function () {
  document.getElementById('form-post').submit();
});
