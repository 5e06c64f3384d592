// The schema browser: every event type the gateway emits, and the JSON
// Schema of one type's data.
import {api} from './api.js';
import {h, pageHeading, errorBox} from './dom.js';

export async function schemasPage(main, selected) {
  pageHeading(main, selected ? `Schema ${selected}` : 'Event schemas');
  const list = await api('/api/v1/schemas');
  const nav = h('nav', {'aria-label': 'Event types'}, h('ul', {}, list.items.map(item =>
    h('li', {}, h('a', {href: `#/schemas/${encodeURIComponent(item.type)}`, 'aria-current': item.type === selected ? 'page' : undefined},
      item.type), ` (version ${item.version})`))));
  const view = h('section', {'aria-labelledby': 'schema-title'});
  main.append(h('div', {className: 'columns'}, nav, view));
  if (!selected) {
    view.append(h('h2', {id: 'schema-title'}, 'Choose an event type'), h('p', {className: 'muted'}, 'Each schema describes the event\u2019s data member.'));
    return;
  }
  try {
    const schema = await api(`/api/v1/schemas/${encodeURIComponent(selected)}`);
    const text = typeof schema === 'string' ? schema : JSON.stringify(schema, null, 2);
    view.append(h('h2', {id: 'schema-title'}, selected), h('pre', {tabindex: 0, 'aria-label': `JSON Schema of ${selected}`}, text));
  } catch (error) {
    view.append(errorBox(error));
  }
}
