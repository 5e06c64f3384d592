// Dead letters: filter by sink, type and subject; replay or purge one, or all
// that the filter selects. Purging asks for a second press.
import {api, query} from './api.js';
import {h, table, pageHeading, when, shortId, filterForm, errorBox, announce} from './dom.js';

export async function deadLettersPage(main) {
  pageHeading(main, 'Dead letters');
  const filters = {sink: '', type: '', subject: ''};
  const list = h('div');
  const actions = h('div', {className: 'toolbar'});
  main.append(filterForm('Filter dead letters', [
    {name: 'sink', label: 'Sink'}, {name: 'type', label: 'Type (glob)', placeholder: 'ccm.lablet.*'}, {name: 'subject', label: 'Subject'},
  ], values => {
    Object.assign(filters, values);
    refresh();
  }), actions, list);

  async function act(method, path, done) {
    try {
      const result = await api(path, {method});
      announce(done(result));
    } catch (error) {
      announce(error.message);
    }
    await refresh();
  }

  // A purge button that must be pressed twice (its label says so the second time).
  function purgeButton(label, path, done) {
    const button = h('button', {type: 'button', className: 'danger'}, label);
    let armed = false;
    button.addEventListener('click', () => {
      if (!armed) {
        armed = true;
        button.textContent = `Confirm: ${label.toLowerCase()}`;
        return;
      }
      act('DELETE', path, done);
    });
    button.addEventListener('blur', () => {
      armed = false;
      button.textContent = label;
    });
    return button;
  }

  async function refresh() {
    try {
      const letters = await api(`/api/v1/deadletters${query({...filters, limit: 200})}`);
      const filterText = query(filters);
      actions.replaceChildren(
        h('button', {type: 'button', disabled: letters.items.length === 0,
                     onclick: () => act('POST', `/api/v1/deadletters/replay${filterText}`, r => `Replayed ${r.replayed} dead letters`)},
          'Replay all shown'),
        purgeButton('Purge all shown', `/api/v1/deadletters${filterText || '?all=true'}`, r => `Purged ${r.purged} dead letters`));
      list.replaceChildren(table(`${letters.items.length} dead letters`, [
        {label: 'Sink', value: d => d.sink},
        {label: 'Event', value: d => h('span', {}, d.event.type, h('br'), h('span', {className: 'muted mono'}, `#${d.sequence} ${shortId(d.event.subject)}`))},
        {label: 'Attempts', value: d => String(d.attempts), numeric: true},
        {label: 'Last error', value: d => d.last_error, className: 'error'},
        {label: 'Dead since', value: d => when(d.dead_at)},
        {label: 'Actions', value: d => h('span', {className: 'toolbar'},
          h('button', {type: 'button', 'aria-label': `Replay dead letter ${d.id}`, 'data-replay': d.id,
                       onclick: () => act('POST', `/api/v1/deadletters/${encodeURIComponent(d.id)}/replay`, () => `Replayed dead letter ${shortId(d.id)}`)},
            'Replay'),
          purgeButton('Purge', `/api/v1/deadletters/${encodeURIComponent(d.id)}`, () => `Purged dead letter ${shortId(d.id)}`))},
      ], letters.items, 'No dead letters.'));
    } catch (error) {
      list.replaceChildren(errorBox(error));
    }
  }
  await refresh();
  return () => {};
}
