const root = document.querySelector('main');
if (root) root.textContent = 'ice-doctor report page: under construction';
