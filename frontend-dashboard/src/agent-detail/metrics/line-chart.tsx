/**
 * A small SVG line chart (hand-rolled: lighter than any library). It is an image with a label; the
 * numbers themselves are in the tab's text summary, which screen readers read instead.
 */
export interface Series {
  label: string;
  values: readonly (number | null)[];
  className: string;
}

const WIDTH = 400;
const HEIGHT = 120;

const xOf = (i: number, count: number) => (count > 1 ? (i * WIDTH) / (count - 1) : WIDTH);
const yOf = (v: number, max: number) => HEIGHT - (Math.min(v, max) / max) * (HEIGHT - 4) - 2;

function pathOf(values: readonly (number | null)[], max: number, count: number): string {
  let d = "";
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    const x = xOf(i, count).toFixed(1);
    const y = yOf(v, max).toFixed(1);
    d += `${pen ? "L" : "M"}${x},${y} `;
    pen = true;
  });
  return d.trim();
}

export function LineChart({
  title,
  series,
  max,
  formatMax,
}: {
  title: string;
  series: readonly Series[];
  /** The top of the scale; defaults to the largest value. */
  max?: number;
  formatMax(max: number): string;
}) {
  const count = Math.max(0, ...series.map((s) => s.values.length));
  const largest = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const top = max ?? (largest > 0 ? largest * 1.1 : 1);
  return (
    <figure className="nora-chart">
      <figcaption>
        {title} <span className="nora-chart-scale">(scale to {formatMax(top)})</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${title} over time`}
      >
        <line x1="0" y1={HEIGHT - 1} x2={WIDTH} y2={HEIGHT - 1} className="nora-chart-axis" />
        {series.map((s) => (
          <path key={s.label} d={pathOf(s.values, top, count)} className={`nora-chart-line ${s.className}`} />
        ))}
        {series.map((s) => {
          // The latest value as a dot: visible from the first reading, before there is a line.
          const last = s.values.at(-1);
          return last == null ? null : (
            <circle
              key={`${s.label}-last`}
              cx={xOf(s.values.length - 1, count)}
              cy={yOf(last, top)}
              r="3"
              className={`nora-chart-dot ${s.className}`}
            />
          );
        })}
      </svg>
      {series.length > 1 ? (
        <ul className="nora-chart-legend">
          {series.map((s) => (
            <li key={s.label}>
              <span className={`nora-chart-swatch ${s.className}`} aria-hidden="true" />
              {s.label}
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}
