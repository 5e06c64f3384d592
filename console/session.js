// One session: its fields, its ports and its event timeline (the event log
// for its subject), with new events arriving live.
import {api, query} from './api.js';
import {h, table, pageHeading, when, errorBox} from './dom.js';
import {openEventStream} from './stream.js';

function timelineItem(sequence, event) {
  const data = event.data ?? {};
  const change = data.new_state ? ` (${data.previous_state ? `${data.previous_state} → ` : ''}${data.new_state})` : '';
  return h('li', {'data-sequence': sequence},
    h('strong', {}, event.type), change, ' ',
    h('span', {className: 'muted'}, `#${sequence} · ${when(event.time)}`));
}

export async function sessionPage(main, id) {
  pageHeading(main, `Session ${id}`);
  const details = h('section', {'aria-labelledby': 'details-title'}, h('h2', {id: 'details-title'}, 'Details'));
  const timeline = h('ol', {className: 'timeline', 'aria-label': 'Events of this session, oldest first'});
  const events = h('section', {'aria-labelledby': 'timeline-title'}, h('h2', {id: 'timeline-title'}, 'Event timeline'), timeline);
  main.append(h('p', {}, h('a', {href: '#/sessions'}, '← All sessions')), h('div', {className: 'columns'}, details, events));

  async function showDetails() {
    try {
      const session = await api(`/api/v1/sessions/${encodeURIComponent(id)}`);
      const fields = [['State', h('span', {className: 'state', id: 'session-state'}, session.state)],
        ['Final state', session.final_state ?? '—'], ['Owner', session.owner_id],
        ['Definition', `${session.definition_id} (version ${session.definition_version})`],
        ['Worker', session.worker_id || '—'], ['CML lab', session.cml_lab_id || '—'],
        ['Login URL', session.login_url || '—'], ['Error', session.error || '—'],
        ['Expires', when(session.expires_at)], ['Created', when(session.created_at)], ['Updated', when(session.updated_at)]];
      const ports = Object.entries(session.allocated_ports ?? {});
      details.replaceChildren(h('h2', {id: 'details-title'}, 'Details'),
        h('dl', {className: 'fields'}, fields.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        h('h2', {}, 'Ports'),
        table('Ports allocated on the worker', [
          {label: 'Annotation', value: p => p[0]}, {label: 'Port', value: p => String(p[1]), numeric: true},
        ], ports, 'No ports allocated.'));
    } catch (error) {
      details.append(errorBox(error));
    }
  }

  let last = 0;
  try {
    for (;;) {
      const page = await api(`/api/v1/events${query({subject: id, after: last, limit: 1000})}`);
      for (const item of page.items) timeline.append(timelineItem(item.sequence, item.event));
      if (page.items.length === 0 || page.next_after === last) break;
      last = page.next_after;
    }
  } catch (error) {
    events.append(errorBox(error));
  }
  await showDetails();
  const close = openEventStream({subject: id, after: last}, {
    onEvent: ({sequence, event}) => {
      timeline.append(timelineItem(sequence, event));
      showDetails();
    },
  });
  return close;
}
