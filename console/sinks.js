// Sinks: lag, circuit, errors and throughput (delivered per second between
// two readings), read again every two seconds.
import {api} from './api.js';
import {h, table, pageHeading, when, errorBox} from './dom.js';

const INTERVAL_MS = 2000;

export async function sinksPage(main) {
  pageHeading(main, 'Sinks');
  const list = h('div');
  main.append(h('p', {className: 'muted'}, `Updated every ${INTERVAL_MS / 1000} s. Lag is events in the log the sink has not passed.`), list);
  let previous = null;
  async function refresh() {
    try {
      const now = performance.now();
      const sinks = await api('/api/v1/sinks');
      const rate = {};
      for (const sink of sinks.items) {
        const before = previous?.items.find(s => s.name === sink.name);
        rate[sink.name] = before ? ((sink.delivered - before.delivered) * 1000) / (now - previous.at) : null;
      }
      previous = {items: sinks.items, at: now};
      list.replaceChildren(table(`${sinks.items.length} sinks`, [
        {label: 'Sink', value: s => h('strong', {}, s.name)},
        {label: 'Plugin', value: s => s.plugin},
        {label: 'Circuit', value: s => h('span', {className: `circuit-${s.circuit}`}, s.circuit)},
        {label: 'Paused', value: s => (s.paused ? `yes: ${s.pause?.reason ?? ''}` : 'no')},
        {label: 'Lag', value: s => String(s.lag), numeric: true},
        {label: 'In flight', value: s => String(s.in_flight), numeric: true},
        {label: 'Delivered', value: s => String(s.delivered), numeric: true},
        {label: 'Events/s', value: s => (rate[s.name] === null ? '…' : rate[s.name].toFixed(1)), numeric: true},
        {label: 'Failed', value: s => String(s.failed), numeric: true},
        {label: 'Dead letters', value: s => String(s.dead_lettered), numeric: true},
        {label: 'Last error', value: s => (s.last_error ? `${s.last_error} (${when(s.last_error_at)})` : '—'), className: 'error'},
      ], sinks.items, 'No sinks configured.'));
    } catch (error) {
      list.replaceChildren(errorBox(error));
    }
  }
  await refresh();
  const timer = setInterval(refresh, INTERVAL_MS);
  return () => clearInterval(timer);
}
