// Small DOM helpers shared by the pages: elements, tables, times, messages.

// h('a', {href: '#/x'}, 'text', child...): an element with attributes
// (on* keys become listeners) and children (strings become text, never HTML).
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'className') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// A table with a caption; columns: [{label, value: row => Node|string, numeric}].
export function table(caption, columns, rows, empty = 'Nothing to show.') {
  if (rows.length === 0) return h('p', {className: 'muted'}, empty);
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map(c => h('th', {scope: 'col', className: c.numeric ? 'num' : undefined}, c.label)))),
    h('tbody', {}, rows.map(row => h('tr', {}, columns.map(c =>
      h('td', {className: c.className ?? (c.numeric ? 'num' : undefined)}, c.value(row)))))));
}

// A page's heading, title and focus target.
export function pageHeading(main, text) {
  document.title = `${text} · ccm-gateway console`;
  const heading = h('h1', {}, text);
  main.replaceChildren(heading);
  return heading;
}

export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function shortId(id) {
  return id && id.length > 12 ? `${id.slice(0, 8)}…` : id ?? '';
}

let statusTimer;
// A short message in the polite live region (read out by screen readers).
export function announce(text) {
  const status = document.getElementById('status');
  status.textContent = text;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { status.textContent = ''; }, 6000);
}

export function errorBox(error) {
  return h('p', {className: 'error-box', role: 'alert'}, error?.message ?? String(error));
}

// A form of labelled inputs; fields: [{name, label, value, type, options}].
// onSubmit gets {name: value}.
export function filterForm(label, fields, onSubmit, submitText = 'Apply') {
  const form = h('form', {className: 'filters', 'aria-label': label});
  for (const field of fields) {
    const id = `f-${field.name}`;
    let input;
    if (field.options) {
      input = h('select', {id, name: field.name},
        field.options.map(o => h('option', {value: o.value, selected: o.value === field.value}, o.label)));
    } else {
      input = h('input', {id, name: field.name, type: field.type ?? 'text', value: field.value ?? '',
                          placeholder: field.placeholder, autocomplete: 'off'});
    }
    form.append(h('label', {for: id}, field.label, input));
  }
  form.append(h('button', {type: 'submit', className: 'primary'}, submitText));
  form.addEventListener('submit', event => {
    event.preventDefault();
    onSubmit(Object.fromEntries(new FormData(form).entries()));
  });
  return form;
}
