// One SVG bar chart per suite: a bar per scenario (median), a whisker from min to max. Plain SVG text, no library.
const WIDTH = 860;
const BAR = 22;
const GAP = 14;
const LABEL = 440;

function escape(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** rows: { label, median, min, max } in seconds (or another unit, given). */
export function barChart(title, rows, unit = 's') {
  const top = 40;
  const height = top + rows.length * (BAR + GAP) + 30;
  const max = Math.max(...rows.map((row) => row.max), 1e-9);
  const scale = (WIDTH - LABEL - 90) / max;
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="24" font-size="15" font-weight="bold">${escape(title)}</text>`,
  ];
  rows.forEach((row, index) => {
    const y = top + index * (BAR + GAP);
    const x = LABEL;
    lines.push(
      `<text x="${LABEL - 8}" y="${y + BAR / 2 + 4}" text-anchor="end">${escape(row.label)}</text>`,
      `<rect x="${x}" y="${y}" width="${(row.median * scale).toFixed(1)}" height="${BAR}" fill="${row.color ?? '#4878a8'}"/>`,
      `<line x1="${(x + row.min * scale).toFixed(1)}" x2="${(x + row.max * scale).toFixed(1)}" y1="${y + BAR / 2}" y2="${y + BAR / 2}" stroke="#222" stroke-width="1.5"/>`,
      `<text x="${(x + row.max * scale + 6).toFixed(1)}" y="${y + BAR / 2 + 4}">${row.median.toFixed(2)} ${unit}</text>`,
    );
  });
  lines.push(
    `<text x="10" y="${height - 10}" font-size="11" fill="#555">bar: median; line: min to max</text>`,
    '</svg>',
    '',
  );
  return lines.join('\n');
}
