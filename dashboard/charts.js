// Small SVG charts for the metrics dashboard: a bar chart and a line chart over days, and a horizontal bar chart
// for ranked lists. Every mark carries data-series, data-key and data-value attributes and a <title> (the hover
// text), and every chart comes with a data table, so the numbers can be read without the picture.

const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 560;
const HEIGHT = 240;
const MARGIN = { top: 14, right: 14, bottom: 34, left: 52 };

function svgElement(name, attributes = {}, text) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [attribute, value] of Object.entries(attributes)) {
    element.setAttribute(attribute, String(value));
  }
  if (text !== undefined) {
    element.textContent = text;
  }
  return element;
}

/**
 * The top of a y axis with four equal gridline steps: the step is the smallest 1, 2 or 5 times a power of ten (at
 * least minStep) that reaches value in four steps, so every gridline label is exact.
 */
export function axisMaximum(value, minStep = 0) {
  const quarter = value > 0 ? value / 4 : 0;
  if (quarter === 0) {
    return 4 * Math.max(minStep, 1);
  }
  const power = 10 ** Math.floor(Math.log10(quarter));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= quarter);
  return 4 * Math.max(step, minStep);
}

function frame(label, yMax, formatTick) {
  const svg = svgElement('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label, preserveAspectRatio: 'xMidYMid meet',
  });
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const grid = svgElement('g', { class: 'grid' });
  for (let i = 0; i <= 4; i += 1) {
    const value = (yMax * i) / 4;
    const y = MARGIN.top + plotHeight - (plotHeight * i) / 4;
    grid.append(svgElement('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y, y2: y }));
    grid.append(svgElement('text', { x: MARGIN.left - 6, y: y + 4, 'text-anchor': 'end' }, formatTick(value)));
  }
  svg.append(grid);
  return svg;
}

function yOf(value, yMax) {
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  return MARGIN.top + plotHeight - (plotHeight * value) / yMax;
}

/** The x-axis label of a day key (YYYY-MM-DD): its month and day. */
const dayLabel = (key) => key.slice(5);

function dayLabels(svg, keys, xOf, label = dayLabel) {
  const every = Math.max(1, Math.ceil(keys.length / 10));
  const axis = svgElement('g', { class: 'x-axis' });
  keys.forEach((key, index) => {
    if (index % every === 0 || index === keys.length - 1) {
      axis.append(svgElement('text', { x: xOf(index), y: HEIGHT - MARGIN.bottom + 18, 'text-anchor': 'middle' }, label(key)));
    }
  });
  svg.append(axis);
}

function dataTable(caption, header, rows) {
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'Data';
  const table = document.createElement('table');
  const captionElement = table.createCaption();
  captionElement.textContent = caption;
  const headRow = table.createTHead().insertRow();
  for (const title of header) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    headRow.append(th);
  }
  const body = table.createTBody();
  for (const cells of rows) {
    const row = body.insertRow();
    cells.forEach((cell) => { row.insertCell().textContent = cell; });
  }
  details.append(summary, table);
  return details;
}

function legend(series) {
  const list = document.createElement('ul');
  list.className = 'legend';
  for (const { name, className } of series) {
    const item = document.createElement('li');
    item.className = className;
    item.textContent = name;
    list.append(item);
  }
  return list;
}

function empty(container, text) {
  const paragraph = document.createElement('p');
  paragraph.className = 'empty';
  paragraph.textContent = text;
  container.replaceChildren(paragraph);
}

/**
 * Bars over days (or other keys: xLabel(key) gives the axis label, title(key) the hover and table text, keyName the
 * table's first column, "Day" by default). points: [{key: 'YYYY-MM-DD', value}], format(value) gives the label text;
 * minStep 1 keeps the gridlines of a count on whole numbers; yMax fixes the top of the axis; columns replaces the
 * data table's columns, as [heading, (point) => text].
 */
export function barChart(container, {
  label, series, points, format, minStep = 0, yMax: fixedMax, xLabel = dayLabel, keyName = 'Day', title = (key) => key,
  columns = [[keyName, (point) => title(point.key)], [label, (point) => format(point.value)]],
}) {
  const yMax = fixedMax ?? axisMaximum(Math.max(0, ...points.map((p) => p.value)), minStep);
  const svg = frame(label, yMax, format);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const slot = plotWidth / Math.max(points.length, 1);
  const xOf = (index) => MARGIN.left + slot * index + slot / 2;
  const bars = svgElement('g', { class: `marks ${series}` });
  points.forEach((point, index) => {
    const top = yOf(point.value, yMax);
    const bar = svgElement('rect', {
      x: xOf(index) - slot * 0.35, width: slot * 0.7, y: top, height: yOf(0, yMax) - top,
      'data-series': series, 'data-key': point.key, 'data-value': point.value,
    });
    bar.append(svgElement('title', {}, `${title(point.key)}: ${format(point.value)}`));
    bars.append(bar);
  });
  svg.append(bars);
  dayLabels(svg, points.map((p) => p.key), xOf, xLabel);
  const table = dataTable(label, columns.map(([heading]) => heading), points.map((point) => columns.map(([, text]) => text(point))));
  container.replaceChildren(svg, table);
}

/** What a data table shows for a day without data. */
export const NO_DATA = 'no data';

/**
 * Lines over days. lines: [{series, name, className, points: [{key, value}]}]; all lines share the days and the y axis.
 * A null value is a day without data: the line has a gap there, no dot, and the table says so.
 */
export function lineChart(container, { label, lines, format, yMax: fixedMax, minStep = 0 }) {
  const keys = lines[0].points.map((p) => p.key);
  const values = lines.flatMap((line) => line.points.map((p) => p.value)).filter((value) => value !== null);
  const yMax = fixedMax ?? axisMaximum(Math.max(0, ...values), minStep);
  const svg = frame(label, yMax, format);
  const inset = 18; // room for the first and last day labels
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right - 2 * inset;
  const xOf = keys.length === 1
    ? () => MARGIN.left + inset + plotWidth / 2
    : (index) => MARGIN.left + inset + (plotWidth * index) / (keys.length - 1);
  for (const line of lines) {
    const group = svgElement('g', { class: `marks ${line.className}` });
    // A point after a gap (or the first) starts a new piece of the line.
    const path = line.points.flatMap((p, index) => (p.value === null ? [] : [
      `${index === 0 || line.points[index - 1].value === null ? 'M' : 'L'}${xOf(index).toFixed(1)},${yOf(p.value, yMax).toFixed(1)}`,
    ]));
    group.append(svgElement('path', { d: path.join(' '), fill: 'none' }));
    line.points.forEach((point, index) => {
      if (point.value === null) {
        return;
      }
      const dot = svgElement('circle', {
        cx: xOf(index), cy: yOf(point.value, yMax), r: 3.5,
        'data-series': line.series, 'data-key': point.key, 'data-value': point.value,
      });
      dot.append(svgElement('title', {}, `${point.key} · ${line.name}: ${format(point.value)}`));
      group.append(dot);
    });
    svg.append(group);
  }
  dayLabels(svg, keys, xOf);
  const cell = (value) => (value === null ? NO_DATA : format(value));
  const rows = keys.map((key, index) => [key, ...lines.map((line) => cell(line.points[index].value))]);
  container.replaceChildren(legend(lines), svg, dataTable(label, ['Day', ...lines.map((l) => l.name)], rows));
}

/**
 * Ranked list as horizontal bars. items: [{key, label, value}], largest first. columns: the data table's columns as
 * [title, (item) => text] (default: the item and its value).
 */
export function rankingChart(container, {
  label, series, items, emptyText, format = String,
  columns = [['Searched', (item) => item.label], ['Count', (item) => format(item.value)]],
}) {
  if (items.length === 0) {
    empty(container, emptyText);
    return;
  }
  const rowHeight = 26;
  const height = items.length * rowHeight + 8;
  const labelWidth = 190;
  const svg = svgElement('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': label });
  const max = Math.max(...items.map((item) => item.value)) || 1; // all zero: empty bars, not NaN
  const barSpace = WIDTH - labelWidth - 60;
  const group = svgElement('g', { class: `marks ${series}` });
  items.forEach((item, index) => {
    const y = 4 + index * rowHeight;
    group.append(svgElement('text', { x: labelWidth - 8, y: y + 16, 'text-anchor': 'end', class: 'item-label' }, item.label));
    const bar = svgElement('rect', {
      x: labelWidth, y: y + 3, height: rowHeight - 8, width: Math.max(1, (barSpace * item.value) / max),
      'data-series': series, 'data-key': item.key, 'data-value': item.value,
    });
    bar.append(svgElement('title', {}, `${item.label}: ${format(item.value)}`));
    group.append(bar);
    group.append(svgElement('text', {
      x: labelWidth + (barSpace * item.value) / max + 6, y: y + 16, class: 'value-label',
    }, format(item.value)));
  });
  svg.append(group);
  const table = dataTable(label, columns.map(([heading]) => heading), items.map((item) => columns.map(([, text]) => text(item))));
  container.replaceChildren(svg, table);
}
