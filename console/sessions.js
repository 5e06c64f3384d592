// Sessions by state: counts per state (each a filter), text filters, and the
// list, refreshed when a session event arrives on the live stream.
import {api, query} from './api.js';
import {h, table, pageHeading, when, shortId, filterForm, errorBox} from './dom.js';
import {openEventStream} from './stream.js';

export const SESSION_STATES = ['pending', 'scheduled', 'instantiating', 'ready', 'running', 'collecting', 'grading',
                               'graded', 'stopping', 'stopped', 'terminated'];

export async function sessionsPage(main) {
  pageHeading(main, 'Sessions');
  const filters = {state: '', owner_id: '', definition_id: '', worker_id: ''};
  const counts = h('ul', {className: 'counts', 'aria-label': 'Sessions by state'});
  const list = h('div', {'aria-live': 'polite', 'aria-busy': 'false'});
  const form = filterForm('Filter sessions', [
    {name: 'state', label: 'State', value: '', options: [{value: '', label: 'any'}, ...SESSION_STATES.map(s => ({value: s, label: s}))]},
    {name: 'owner_id', label: 'Owner'},
    {name: 'definition_id', label: 'Definition id'},
    {name: 'worker_id', label: 'Worker id'},
  ], values => {
    Object.assign(filters, values);
    refresh();
  });
  main.append(counts, form, list);

  async function refresh() {
    try {
      const all = await api(`/api/v1/sessions${query({limit: 1000})}`);
      const byState = Object.fromEntries(SESSION_STATES.map(s => [s, 0]));
      for (const session of all.items) byState[session.state] = (byState[session.state] ?? 0) + 1;
      counts.replaceChildren(...SESSION_STATES.map(state => h('li', {}, h('button', {
        type: 'button', 'aria-pressed': String(filters.state === state),
        onclick: () => {
          filters.state = filters.state === state ? '' : state;
          form.elements.state.value = filters.state;
          refresh();
        },
      }, `${state}: ${byState[state]}`))));
      const shown = await api(`/api/v1/sessions${query({...filters, limit: 500})}`);
      list.replaceChildren(table(`${shown.items.length} sessions`, [
        {label: 'Session', value: s => h('a', {href: `#/sessions/${encodeURIComponent(s.id)}`, title: s.id}, shortId(s.id))},
        {label: 'State', value: s => h('span', {className: 'state', 'data-session': s.id}, s.state)},
        {label: 'Final state', value: s => s.final_state ?? ''},
        {label: 'Owner', value: s => s.owner_id},
        {label: 'Definition', value: s => `${shortId(s.definition_id)} v${s.definition_version}`},
        {label: 'Worker', value: s => shortId(s.worker_id)},
        {label: 'Ports', value: s => Object.entries(s.allocated_ports ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')},
        {label: 'Updated', value: s => when(s.updated_at)},
      ], shown.items, 'No session matches.'));
    } catch (error) {
      list.replaceChildren(errorBox(error));
    }
  }

  await refresh();
  let pending = null;
  const close = openEventStream({type: 'ccm.lablet.session.*'}, {
    onEvent: () => {
      // A burst of events refreshes once.
      pending ??= setTimeout(() => { pending = null; refresh(); }, 300);
    },
  });
  return () => {
    close();
    clearTimeout(pending);
  };
}
