// The live event tail: the event stream with type and subject filters,
// newest first, the last 200 kept; pause stops reading.
import {h, pageHeading, when, shortId, filterForm} from './dom.js';
import {openEventStream} from './stream.js';

const KEEP = 200;

export async function eventsPage(main) {
  pageHeading(main, 'Live events');
  const filters = {type: '', subject: ''};
  const state = h('p', {className: 'muted', id: 'stream-state'}, 'Connecting…');
  const rows = h('tbody');
  const tail = h('div', {className: 'tail'}, h('table', {role: 'log', 'aria-label': 'Events as they are committed, newest first'},
    h('thead', {}, h('tr', {}, ['Sequence', 'Time', 'Type', 'Subject', 'Data'].map(t => h('th', {scope: 'col'}, t)))),
    rows));
  let close = () => {};
  const toggle = h('button', {type: 'button'}, 'Pause');

  function start() {
    close();
    rows.replaceChildren();
    close = openEventStream(filters, {
      onEvent: ({sequence, event}) => {
        const subject = event.type.startsWith('ccm.lablet.session.')
          ? h('a', {href: `#/sessions/${encodeURIComponent(event.subject)}`, title: event.subject}, shortId(event.subject))
          : h('span', {title: event.subject ?? ''}, shortId(event.subject));
        const data = event.data ?? {};
        const summary = data.new_state ? `${data.previous_state ? `${data.previous_state} → ` : ''}${data.new_state}`
                                       : JSON.stringify(data).slice(0, 120);
        rows.prepend(h('tr', {'data-type': event.type},
          h('td', {className: 'num'}, String(sequence)), h('td', {}, when(event.time)),
          h('td', {className: 'mono'}, event.type), h('td', {}, subject), h('td', {className: 'mono'}, summary)));
        while (rows.children.length > KEEP) rows.lastElementChild.remove();
      },
      onState: (status, detail) => {
        state.textContent = status === 'open' ? 'Live: new events appear at the top.'
          : status === 'reconnecting' ? `Reconnecting (${detail})…` : `Stopped${detail && detail !== 'stopped' ? `: ${detail}` : '.'}`;
      },
    });
    toggle.textContent = 'Pause';
  }

  toggle.addEventListener('click', () => {
    if (toggle.textContent === 'Pause') {
      close();
      close = () => {};
      toggle.textContent = 'Resume';
    } else {
      start();
    }
  });
  main.append(filterForm('Filter the live events', [
    {name: 'type', label: 'Type (glob)', placeholder: 'ccm.lablet.session.*'}, {name: 'subject', label: 'Subject'},
  ], values => {
    Object.assign(filters, values);
    start();
  }, 'Watch'), h('div', {className: 'toolbar'}, toggle, state), tail);
  start();
  return () => close();
}
