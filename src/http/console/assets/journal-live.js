// Live updates of the notification journal: when the server says the journal has changed (a server-sent
// event), the page fetches itself again and swaps in the new journal. Without JavaScript the page is the same,
// only still: reloading shows what is new.
const journal = document.getElementById('journal');
if (journal && 'EventSource' in window) {
  const events = new EventSource(journal.dataset.events);
  events.addEventListener('open', () => document.getElementById('journal')?.classList.add('live'));
  events.addEventListener('journal', async () => {
    const response = await fetch(location.href, { headers: { accept: 'text/html' } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = page.getElementById('journal');
    const current = document.getElementById('journal');
    if (fresh && current) {
      fresh.classList.add('live');
      current.replaceWith(fresh);
    }
  });
}
