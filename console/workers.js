// Workers with their capacity and port use: sessions and ports held on each
// (from the sessions that still hold a worker), refreshed every few seconds.
import {api, query} from './api.js';
import {h, table, pageHeading, shortId, errorBox} from './dom.js';

const HOLDING = 'scheduled,instantiating,ready,running,collecting,grading,graded,stopping';

function usage(used, total, label) {
  return h('span', {}, h('meter', {min: 0, max: Math.max(total, 1), value: used, 'aria-label': label}), ` ${used} / ${total}`);
}

export async function workersPage(main) {
  pageHeading(main, 'Workers');
  const list = h('div');
  main.append(list);
  async function refresh() {
    try {
      const [workers, sessions] = await Promise.all([
        api(`/api/v1/workers${query({limit: 1000})}`),
        api(`/api/v1/sessions${query({state: HOLDING, limit: 1000})}`),
      ]);
      const held = {};
      for (const s of sessions.items) {
        const entry = held[s.worker_id] ??= {sessions: 0, ports: 0};
        entry.sessions += 1;
        entry.ports += Object.keys(s.allocated_ports ?? {}).length;
      }
      list.replaceChildren(table(`${workers.items.length} workers`, [
        {label: 'Worker', value: w => h('span', {title: w.id}, `${w.name} (${shortId(w.id)})`)},
        {label: 'State', value: w => h('span', {className: 'state'}, w.state)},
        {label: 'Template', value: w => w.template_name},
        {label: 'Address', value: w => w.public_address},
        {label: 'Sessions / capacity', value: w => usage(held[w.id]?.sessions ?? 0, w.capacity, `Sessions on ${w.name}`)},
        {label: 'Ports used', value: w => usage(held[w.id]?.ports ?? 0, w.port_range_end - w.port_range_start + 1, `Ports used on ${w.name}`)},
        {label: 'Port range', value: w => `${w.port_range_start}–${w.port_range_end}`},
      ], workers.items, 'No workers registered.'));
    } catch (error) {
      list.replaceChildren(errorBox(error));
    }
  }
  await refresh();
  const timer = setInterval(refresh, 5000);
  return () => clearInterval(timer);
}
